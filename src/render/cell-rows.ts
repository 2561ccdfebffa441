// A table's rows kept as bytes until every row is measured and sorted (scan/store-rows-job.ts,
// scan/sorted-list.ts): each row's cells as a cell row, the cells joined by US (0x1f) and ended
// by a newline (about a third of the conntrack line), and laid out later straight from those
// bytes into the output buffer, exactly as box-table.ts `boxLines().row` lays out the cells as
// strings (test/render/cell-rows.test.ts compares the two, cut and uncut, coloured or not).
// Making the row strings again cost ~2 µs a row (a million-row table: 2 s), the bytes ~0.4 µs.

import type { ByteSink } from '../source/byte-sink.js';
import { DROPPED, type BoxColumn } from './box-table.js';

/** What separates the cells of a cell row (rowOfCells): no cell holds it (text read from a table is shown escaped). */
const CELL_END = '\x1f';

/** One row's cells as a cell row: joined by CELL_END, ended by a newline (see cellRowsWriter). */
export function rowOfCells(cells: readonly string[]): string {
  return cells.join(CELL_END) + '\n';
}

/** The index after the colour code (ESC [ digits and semicolons m) at `i` of `bytes`, else -1. */
function colourCodeEnd(bytes: Buffer, i: number, end: number): number {
  if (bytes[i] !== 0x1b || bytes[i + 1] !== 0x5b) return -1;
  let j = i + 2;
  while (j < end && ((bytes[j]! >= 0x30 && bytes[j]! <= 0x39) || bytes[j] === 0x3b)) j++;
  return j < end && bytes[j] === 0x6d ? j + 1 : -1;
}

/**
 * Writes rows kept as cell rows (rowOfCells, UTF-8) into `sink` exactly as `boxLines(columns,
 * widths).row` writes their cells, laid out from the bytes themselves with no string made: a
 * cell's width is its count of characters (first bytes of UTF-8), colour codes aside, as
 * visibleWidth counts; a cell wider than its column keeps its first characters without their
 * colour codes, then `~`, as cutVisible cuts it.
 */
export function cellRowsWriter(columns: readonly BoxColumn[], widths: readonly number[]): (rows: Buffer, sink: ByteSink) => void {
  const n = columns.length;
  const at = widths.flatMap((w, i) => (w === DROPPED ? [] : [i]));
  const wide = at.map((i) => widths[i]!);
  const right = at.map((i) => columns[i]!.right === true);
  // most bytes a row adds beyond its cells: the bars ('│' is 3 bytes: e2 94 82), a space each
  // side of a cell, its padding, a cut cell's `~`
  let frame = 3 + 1;
  for (const w of wide) frame += w + 2 + 3 + 1;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  const shown = new Int32Array(n);
  return (rows, sink) => {
    const size = rows.length;
    let i = 0;
    while (i < size) {
      // the row's cells, and each one's width
      const rowStart = i;
      let c = 0;
      let s = i;
      let w = 0;
      for (;;) {
        // (the end of the buffer ends a last row without its newline)
        const b = i < size ? rows[i]! : 10;
        if (b === 0x1f || b === 10) {
          if (c < n) {
            starts[c] = s;
            ends[c] = i;
            shown[c] = w;
            c++;
          }
          i++;
          if (b === 10) break;
          s = i;
          w = 0;
          continue;
        }
        if (b === 0x1b) {
          const after = colourCodeEnd(rows, i, size);
          if (after >= 0) {
            i = after;
            continue;
          }
        }
        if ((b & 0xc0) !== 0x80) w++;
        i++;
      }
      for (; c < n; c++) {
        starts[c] = 0;
        ends[c] = 0;
        shown[c] = 0;
      }
      sink.reserve(frame + (i - rowStart));
      const buf = sink.buf;
      let pos = sink.pos;
      // (byte loops: a cell is a few bytes, and Buffer#copy makes a view per call)
      buf[pos++] = 0xe2;
      buf[pos++] = 0x94;
      buf[pos++] = 0x82;
      for (let k = 0; k < at.length; k++) {
        const col = at[k]!;
        const width = wide[k]!;
        buf[pos++] = 32;
        if (shown[col]! > width) {
          // cut: the first width - 1 characters, colour codes left out, then `~`
          const keep = Math.max(0, width - 1);
          let chars = 0;
          for (let j = starts[col]!, e = ends[col]!; j < e; ) {
            const after = rows[j] === 0x1b ? colourCodeEnd(rows, j, e) : -1;
            if (after >= 0) {
              j = after;
              continue;
            }
            if ((rows[j]! & 0xc0) !== 0x80 && chars++ === keep) break;
            buf[pos++] = rows[j++]!;
          }
          buf[pos++] = 0x7e;
        } else {
          let pad = width - shown[col]!;
          if (right[k]) for (; pad > 0; pad--) buf[pos++] = 32;
          for (let j = starts[col]!, e = ends[col]!; j < e; j++) buf[pos++] = rows[j]!;
          for (; pad > 0; pad--) buf[pos++] = 32;
        }
        buf[pos++] = 32;
        buf[pos++] = 0xe2;
        buf[pos++] = 0x94;
        buf[pos++] = 0x82;
      }
      buf[pos++] = 10;
      sink.pos = pos;
    }
  };
}
