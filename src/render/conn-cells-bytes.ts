// connTableCells (conn-table.ts) of a line the fast path read, written as its cell row
// (cell-rows.ts rowOfCells) in bytes straight into the output buffer, without making its record
// or a string per cell: a sorted table of a million rows is made in the parse that fills its
// store (scan/store-rows-job.ts), and a record, eleven cell strings and their join per row cost
// twice the parse. Each cell's width is noted as it is written. Only a table without
// colour (colour is for a terminal: a screenful, not a million rows); anything it cannot write
// exactly as the cells would be (a record the full parser made, a services name that is not
// plain ASCII) makes it return false, and the caller makes the cells as strings
// (test/render/conn-cells-bytes.test.ts compares the two on every fixture line).

import {
  BYTES, CODE, DPORT, ICMP_ID, NUMS, ORIG_DST, ORIG_SRC, PACKETS, REPLY_DST, REPLY_SRC, SPORT, TYPE, scanAddress, scanNat, scanTotal,
  type ConnScan,
} from '../parse/conn-bytes.js';
import { serviceName, serviceTable, type ServiceTable } from '../host/services.js';
import type { ByteSink } from '../source/byte-sink.js';
import { writeIPv4 } from './conn-json-bytes.js';
import { humanBytes, humanCount, humanDuration } from './human.js';
import { num } from './json-bytes.js';
import type { TableLayout } from './table-layout.js';

/** Bytes a row may need: four addresses and ports, numbers, flags and a services name. */
const ROW_MAX = 1024;
/** services names longer than this are left to the strings */
const NAME_MAX = 128;

const US = 0x1f;

/**
 * A writer of a scan's cell row into `sink` that widens `widths` to its cells; false when it
 * cannot (nothing written then). `numeric`: no Service column (-n).
 */
export function scanCellRowWriter(layout: TableLayout, numeric: boolean): (s: ConnScan, sink: ByteSink, widths: number[]) => boolean {
  let services: ServiceTable | undefined;
  const counter = layout.exact ? (n: number): string => (n < 0 ? '-' : String(n)) : (n: number): string => (n < 0 ? '-' : humanCount(n));
  const bytes = layout.exact ? counter : (n: number): string => (n < 0 ? '-' : humanBytes(n));
  return (s, sink, widths) => {
    // a rare line's record (scanOfConn) may hold anything: the cells decide
    if (s.record !== undefined) return false;
    const n = s.nums;
    let name: string | undefined;
    if (!numeric) {
      const port = n[NUMS + SPORT]!;
      name = port < 0 ? undefined : serviceName(s.protocol, port, (services ??= serviceTable()));
      if (name !== undefined && !plainAscii(name)) return false;
    }
    sink.reserve(ROW_MAX);
    const buf = sink.buf;
    let pos = sink.pos;
    let from = pos;
    pos = ascii(buf, pos, s.protocol);
    pos = endCell(buf, pos, from, widths, 0, 0);
    from = pos;
    if (s.state !== undefined) pos = ascii(buf, pos, s.state);
    pos = endCell(buf, pos, from, widths, 1, 0);
    from = pos;
    pos = endpoint(s, ORIG_SRC, n[SPORT]!, buf, pos);
    pos = endCell(buf, pos, from, widths, 2, 0);
    from = pos;
    pos = arrow(buf, pos);
    pos = endCell(buf, pos, from, widths, 3, 1);
    from = pos;
    pos = endpoint(s, ORIG_DST, n[DPORT]!, buf, pos);
    if (n[TYPE]! >= 0) {
      // the ICMP detail: type=T code=C id=I
      pos = ascii(buf, pos, ' type=');
      pos = num(buf, pos, n[TYPE]!);
      pos = ascii(buf, pos, ' code=');
      pos = num(buf, pos, Math.max(n[CODE]!, 0));
      pos = ascii(buf, pos, ' id=');
      pos = num(buf, pos, Math.max(n[ICMP_ID]!, 0));
    }
    pos = endCell(buf, pos, from, widths, 4, 0);
    from = pos;
    const nat = scanNat(s) !== undefined;
    if (nat) {
      pos = endpoint(s, REPLY_SRC, n[NUMS + SPORT]!, buf, pos);
      buf[pos++] = 32;
      pos = arrow(buf, pos);
      buf[pos++] = 32;
      pos = endpoint(s, REPLY_DST, n[NUMS + DPORT]!, buf, pos);
    }
    pos = endCell(buf, pos, from, widths, 5, nat ? 1 : 0);
    from = pos;
    pos = ascii(buf, pos, counter(scanTotal(s, PACKETS)));
    pos = endCell(buf, pos, from, widths, 6, 0);
    from = pos;
    pos = ascii(buf, pos, bytes(scanTotal(s, BYTES)));
    pos = endCell(buf, pos, from, widths, 7, 0);
    from = pos;
    pos = ascii(buf, pos, s.timeout < 0 ? '-' : humanDuration(s.timeout));
    pos = endCell(buf, pos, from, widths, 8, 0);
    from = pos;
    pos = flags(s, buf, pos);
    if (numeric) {
      const w = pos - from;
      if (w > widths[9]!) widths[9] = w;
    } else {
      pos = endCell(buf, pos, from, widths, 9, 0);
      from = pos;
      if (name !== undefined) pos = ascii(buf, pos, name);
      const w = pos - from;
      if (w > widths[10]!) widths[10] = w;
    }
    buf[pos++] = 10;
    sink.pos = pos;
    return true;
  };
}

/**
 * The cell from `from` to `pos` ended (its US written after it), its width noted: every byte is
 * a character but an arrow's three. The position after it.
 */
function endCell(buf: Uint8Array, pos: number, from: number, widths: number[], i: number, arrows: number): number {
  const w = pos - from - 2 * arrows;
  if (w > widths[i]!) widths[i] = w;
  buf[pos] = US;
  return pos + 1;
}

/** connFlags of a scan: the fast path reads no per-direction zone, helper or labels. */
function flags(s: ConnScan, buf: Uint8Array, pos: number): number {
  const start = pos;
  if (s.assured) buf[pos++] = 65;
  if (s.unreplied) pos = flag(buf, pos, start, 85);
  if (s.offload) pos = flag(buf, pos, start, 79);
  if (s.hwOffload) pos = flag(buf, pos, start, 72);
  if (s.mark !== 0) pos = ascii(buf, pos > start ? space(buf, pos) : pos, `m=${s.mark}`);
  if (s.zone !== 0) pos = ascii(buf, pos > start ? space(buf, pos) : pos, `z=${s.zone}`);
  return pos;
}

/** A one-letter flag, after a space unless it is the first. */
function flag(buf: Uint8Array, pos: number, start: number, letter: number): number {
  if (pos > start) buf[pos++] = 32;
  buf[pos] = letter;
  return pos + 1;
}

function space(buf: Uint8Array, pos: number): number {
  buf[pos] = 32;
  return pos + 1;
}

/** endpoint() of scan address slot k and its port (-1: none): a.b.c.d:port, [v6]:port. */
function endpoint(s: ConnScan, k: number, port: number, buf: Uint8Array, pos: number): number {
  if (!s.v6 && s.texts[k] === undefined) {
    pos = writeIPv4(buf, pos, s.words[k * 4 + 3]!);
  } else {
    const text = scanAddress(s, k);
    const bracket = port >= 0 && text.indexOf(':') >= 0;
    if (bracket) buf[pos++] = 91;
    pos = ascii(buf, pos, text);
    if (bracket) buf[pos++] = 93;
  }
  if (port < 0) return pos;
  buf[pos++] = 58;
  return num(buf, pos, port);
}

/** → in UTF-8 */
function arrow(buf: Uint8Array, pos: number): number {
  buf[pos++] = 0xe2;
  buf[pos++] = 0x86;
  buf[pos++] = 0x92;
  return pos;
}

/** Text known to be printable ASCII (names from constant tables, numbers, addresses). */
function ascii(buf: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

function plainAscii(text: string): boolean {
  if (text.length > NAME_MAX) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}
