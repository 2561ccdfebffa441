// connToCsv (conn-csv.ts) of a line the fast path read, written as bytes straight into the output
// buffer without making its record: `list --csv` writes a million rows, and a record plus 24
// cells through String(), a quoting regex and a join per row cost more than the parse. Any field
// it cannot write exactly as connToCsv would (text that needs quoting or is not plain ASCII, a
// number that is not a safe non-negative integer, a record the full parser made) makes it return
// -1: the caller then writes connToCsv(connOfScan(s)) (test/render/conn-csv-bytes.test.ts
// compares the two on every fixture line).

import {
  BYTES, CODE, DPORT, NUMS, ORIG_DST, ORIG_SRC, PACKETS, REPLY_DST, REPLY_SRC, SPORT, TYPE, connOfScan, scanAddress, scanNat, scanTotal,
  type ConnScan,
} from '../parse/conn-bytes.js';
import type { ByteSink } from '../source/byte-sink.js';
import { connToCsv } from './conn-csv.js';
import { writeIPv4 } from './conn-json-bytes.js';
import { MAX_STRING, num, seg, lit, written } from './json-bytes.js';

/** Bytes a caller must have free at `pos` (8 texts of at most MAX_STRING, 16 numbers, commas). */
export const CONN_CSV_MAX = 4096;

const TRUE = seg('true,');
const FALSE = seg('false,');

/** Text as a CSV cell that needs no quotes, and its comma; anything else is for connToCsv. */
function text(buf: Uint8Array, pos: number, s: string | undefined): number {
  if (s !== undefined) {
    const n = s.length;
    if (n > MAX_STRING) {
      written.bad = true;
      return pos;
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c > 126 || c === 34 || c === 44) {
        written.bad = true;
        return pos;
      }
      buf[pos++] = c;
    }
  }
  buf[pos] = 44;
  return pos + 1;
}

/** A number and its comma; -1 (the scan's "absent") as an empty cell. */
function number(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0) pos = num(buf, pos, n);
  buf[pos] = 44;
  return pos + 1;
}

/** Scan address slot k, and its comma. */
function address(s: ConnScan, k: number, buf: Uint8Array, pos: number): number {
  if (s.v6 || s.texts[k] !== undefined) return text(buf, pos, scanAddress(s, k));
  pos = writeIPv4(buf, pos, s.words[k * 4 + 3]!);
  buf[pos] = 44;
  return pos + 1;
}

/** One tuple's cells from src on: src, dst, sport (else ICMP type), dport (else code), packets, bytes. */
function tuple(s: ConnScan, src: number, dst: number, t: number, buf: Uint8Array, pos: number): number {
  const n = s.nums;
  pos = address(s, dst, buf, address(s, src, buf, pos));
  pos = number(buf, pos, n[t + SPORT]! >= 0 ? n[t + SPORT]! : n[t + TYPE]!);
  pos = number(buf, pos, n[t + DPORT]! >= 0 ? n[t + DPORT]! : n[t + CODE]!);
  return number(buf, number(buf, pos, n[t + PACKETS]!), n[t + BYTES]!);
}

/**
 * Writes `connToCsv(connOfScan(s))` (newline included) at `pos` and returns the position after
 * it, or -1 when the row needs the string writer. The caller guarantees CONN_CSV_MAX free bytes.
 */
export function writeScanCsv(s: ConnScan, buf: Uint8Array, pos: number): number {
  // a rare line's record (scanOfConn) may hold anything: connToCsv decides
  if (s.record !== undefined) return -1;
  written.bad = false;
  pos = text(buf, pos, s.familyName);
  pos = text(buf, pos, s.protocol);
  pos = text(buf, pos, s.state);
  pos = number(buf, pos, s.timeout);
  pos = tuple(s, ORIG_SRC, ORIG_DST, 0, buf, pos);
  pos = tuple(s, REPLY_SRC, REPLY_DST, NUMS, buf, pos);
  pos = lit(buf, pos, s.assured ? TRUE : FALSE);
  pos = lit(buf, pos, s.unreplied ? TRUE : FALSE);
  pos = lit(buf, pos, s.offload ? TRUE : FALSE);
  pos = number(buf, pos, s.mark);
  pos = number(buf, pos, s.zone);
  pos = text(buf, pos, scanNat(s));
  pos = number(buf, pos, scanTotal(s, PACKETS));
  pos = number(buf, pos, scanTotal(s, BYTES));
  // the last cell ends the row: its comma becomes the newline
  buf[pos - 1] = 10;
  return written.bad ? -1 : pos;
}

/** A scanned line's row into `sink` as bytes, or as connToCsv's text through `text` when it must. */
export function putScanCsv(sink: ByteSink, s: ConnScan, text: (row: string) => void): void {
  sink.reserve(CONN_CSV_MAX);
  const end = writeScanCsv(s, sink.buf, sink.pos);
  if (end < 0) text(connToCsv(connOfScan(s)));
  else sink.pos = end;
}
