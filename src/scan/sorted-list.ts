// `list`'s sorted output without --limit, written on every core. A table's or CSV's rows are
// made in the parse that fills the store (scan/store-rows-job.ts), kept in it, and written in
// the store's order once sorted (writeShownRows): a CSV line as it is, a table's cell row laid
// out in the widths measured. JSON and NDJSON are three times their line: the store keeps each
// record's key row (its packed scan, or its line), and the list job writes the records from them
// (writeSortedList), as it writes a table read in its own order. Only output whose records need
// nothing but their row goes this way: zone and mark names and processes live in this thread
// (render/conn-list.ts writes those; so a zone filter, which needs the zones, never comes here).

import type { StoredConns } from '../aggregate/conn-store.js';
import type { Output } from '../output.js';
import { boxLines, fitBoxTable } from '../render/box-table.js';
import type { GatheredRows } from '../aggregate/line-arena.js';
import { PipeClosed } from '../errors.js';
import { connWriter, tableSummary, writeStored, type ConnOutput } from '../render/conn-list.js';
import { hasExtras } from '../render/conn-extras.js';
import type { SourceOptions } from '../source/open-source.js';
import { connTableJob, connTableOf, type ConnTableJobParams, type TableMeasure } from './conn-table-job.js';
import { listJob } from './list-job.js';
import { scanJob } from './read.js';
import { PARALLEL_MIN, type ScanTuning } from './run-scan.js';

/** Whether `writeSortedList` can write this output (else render/conn-list.ts writeConnList does). */
export function sortedInParallel(o: ConnOutput): boolean {
  return !hasExtras(o.extras) && o.processes === undefined;
}

/**
 * Writes every record of the store in its order as JSON or NDJSON; `entries`: how many the read
 * had. Returns what the writer says on stderr once done (nothing).
 */
export async function writeSortedList(
  out: Output, o: ConnOutput, conns: StoredConns, entries: number, tuning: ScanTuning = {},
): Promise<string> {
  const w = connWriter(out, o);
  // no records: an empty JSON array
  if (conns.length === 0) return w.end(entries);
  // the first record here: after JSON's `[` it has no `,` before it
  writeStored(w, conns.record(0)!);
  const rest = conns.lines(1, conns.length);
  // the sort's columns are garbage now, but V8 frees them only at its next full collection, which
  // nothing starts before the workers do: asked for here, the peak RSS is that of the rows
  if (rest.bytes >= (tuning.parallelMin ?? PARALLEL_MIN)) await collectGarbage();
  await scanJob({ opened: rest.chunks, openedBytes: rest.bytes }, listJob({ filter: {}, mode: o.format as 'json' | 'ndjson', sort: undefined, reverse: false, limit: 0, stored: true }), out, true, tuning);
  return w.end(entries);
}

/**
 * Writes a table's or CSV's rows made while the store filled (store-rows-job.ts), `rows` in the
 * store's order (a `shown` store's `lines`), `count` of them: a table laid out in the widths
 * its `measure` holds, a CSV after its header. `entries`: how many the read had. Returns what a
 * table says on stderr once written.
 */
export async function writeShownRows(
  out: Output, o: ConnOutput, rows: GatheredRows, count: number, measure: TableMeasure | undefined, entries: number,
  tuning: ScanTuning = {},
): Promise<string> {
  if (measure === undefined) {
    // CSV: the header, then each row as made
    const w = connWriter(out, o);
    await writeBatches(out, rows, (batch) => {
      out.reserve(batch.length);
      out.pos += batch.copy(out.buf, out.pos);
    });
    return w.end(entries);
  }
  if (count === 0) return connWriter(out, o).end(entries);
  return layOut(out, o, { opened: rows.chunks, openedBytes: rows.bytes }, measure, count, entries, tuning);
}

/** The table of `count` sorted cell rows read from `rows`, laid out on every core as a table is read. */
async function layOut(
  out: Output, o: ConnOutput, rows: SourceOptions, measure: TableMeasure, count: number, entries: number, tuning: ScanTuning,
): Promise<string> {
  const { columns } = connTableOf(tableParams(o));
  const widths = fitBoxTable(columns, measure.widths, o.layout.width);
  const lines = boxLines(columns, widths);
  out.write(lines.top);
  await scanJob(rows, connTableJob({ ...tableParams(o), mode: 'layout', widths }), out, true, tuning);
  out.write(lines.bottom);
  return tableSummary(count, entries, measure.counted);
}

/** Each batch written, then sent; a closed output stops it (| head: quietly, see scanJob). */
async function writeBatches(out: Output, rows: GatheredRows, write: (batch: Buffer) => void): Promise<void> {
  for await (const batch of rows.chunks) {
    write(batch);
    await out.flush();
    if (out.closed) {
      // a reader that went away ends us quietly; a failed write is reported by end()
      await out.end();
      throw new PipeClosed();
    }
  }
}

/** What the table job needs of the output, as plain data for a worker. */
export function tableParams(o: ConnOutput): Pick<ConnTableJobParams, 'color' | 'numeric' | 'layout'> {
  return { color: o.palette.enabled, numeric: o.numeric, layout: o.layout };
}

/**
 * A full garbage collection now (node has no API for it without --expose-gc on its command line;
 * node:v8 is loaded here only: every other run would pay for it at start-up).
 */
async function collectGarbage(): Promise<void> {
  const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import('node:v8'), import('node:vm')]);
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
