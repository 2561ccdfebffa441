// connToJsonLine (conn-json.ts) written as UTF-8 bytes straight into an output buffer: no string
// per record, numbers as ASCII digits, the constant key text copied from pre-encoded segments.
// `list --ndjson` writes a million of these, and building then encoding one ~700-char string per
// record was most of its cost (profile: template concatenation, number→string, utf8 encoding).
//
// Only the common record is written here: any field that needs real escaping or JSON.stringify
// (labels, extra, a string that is not plain printable ASCII, a number that is not a safe
// non-negative integer, a counter above 2^53 − 1) makes it return -1 so the caller writes connToJsonLine(c) instead. The
// bytes are then exactly those of connToJsonLine (test/render/conn-json-bytes.test.ts checks
// every fixture record).

import type { Conn, Tuple } from '../model.js';
import {
  BYTES, CODE, DPORT, ICMP_ID, NUMS, ORIG_DST, ORIG_SRC, PACKETS, REPLY_DST, REPLY_SRC, SPORT, TYPE, connOfScan, scanAddress,
  scanNat, scanTotal, type ConnScan,
} from '../parse/conn-bytes.js';
import type { ByteSink } from '../source/byte-sink.js';
import { connToJsonLine } from './conn-json.js';
import { bool, lit, num, numOrNeg, numOrNull, seg, str, strOrNull, written } from './json-bytes.js';

/** Bytes a caller must have free at `pos` (11 strings of at most MAX_STRING, keys, 22 numbers). */
export const CONN_JSON_MAX = 4096;

const K_FAMILY = seg('{"family":');
const K_PROTOCOL = seg(',"protocol":');
const K_PROTONUM = seg(',"protonum":');
const K_STATE = seg(',"state":');
const K_TIMEOUT = seg(',"timeout":');
const K_ORIGINAL = seg(',"original":');
const K_REPLY = seg(',"reply":');
const K_ASSURED = seg(',"assured":');
const K_UNREPLIED = seg(',"unreplied":');
const K_OFFLOAD = seg(',"offload":');
const K_HW_OFFLOAD = seg(',"hw_offload":');
const K_MARK = seg(',"mark":');
const K_ZONE = seg(',"zone":');
const K_SECCTX = seg(',"secctx":');
const K_USE = seg(',"use":');
const K_ID_LABELS = seg(',"id":');
const K_LABELS_NULL = seg(',"labels":null,"helper":');
const K_DELTA = seg(',"delta_time":');
const K_START = seg(',"start":');
const K_STOP = seg(',"stop":');
const K_PACKETS_TOTAL = seg(',"packets_total":');
const K_BYTES_TOTAL = seg(',"bytes_total":');
const K_NAT = seg(',"nat":');
const K_END = seg(',"extra":null}\n');

const T_SRC = seg('{"src":');
const T_DST = seg(',"dst":');
const T_SPORT = seg(',"sport":');
const T_DPORT = seg(',"dport":');
const T_TYPE = seg(',"icmp_type":');
const T_CODE = seg(',"icmp_code":');
const T_ID = seg(',"icmp_id":');
const T_SRCKEY = seg(',"gre_srckey":');
const T_DSTKEY = seg(',"gre_dstkey":');
const T_PACKETS = seg(',"packets":');
const T_BYTES = seg(',"bytes":');
const T_ZONE = seg(',"zone":');


// Runs of keys whose values are nearly always absent or false, as one segment each: most of a
// record is this constant text.
const T_NO_ICMP_GRE = seg(',"icmp_type":null,"icmp_code":null,"icmp_id":null,"gre_srckey":null,"gre_dstkey":null,"packets":');
const FLAGS: Uint8Array[] = [];
for (const assured of [false, true]) {
  for (const unreplied of [false, true]) {
    FLAGS.push(seg(`,"assured":${assured},"unreplied":${unreplied},"offload":false,"hw_offload":false,"mark":`));
  }
}
const K_SECCTX_NULL_USE = seg(',"secctx":null,"use":');
const K_NO_EXTRAS = seg(',"id":null,"labels":null,"helper":null,"delta_time":null,"start":null,"stop":null,"packets_total":');

/** One tuple object; numbers -1 when absent (the record writer maps undefined to -1). */
function tuple(
  buf: Uint8Array, pos: number, src: string, dst: string, sport: number, dport: number, type: number, code: number,
  id: number, srckey: number, dstkey: number, packets: number, bytes: number, zone: number,
): number {
  pos = str(buf, lit(buf, pos, T_SRC), src);
  pos = str(buf, lit(buf, pos, T_DST), dst);
  return tupleAfterAddresses(buf, pos, sport, dport, type, code, id, srckey, dstkey, packets, bytes, zone);
}

/** A tuple's fields after src and dst, and its closing brace. */
function tupleAfterAddresses(
  buf: Uint8Array, pos: number, sport: number, dport: number, type: number, code: number,
  id: number, srckey: number, dstkey: number, packets: number, bytes: number, zone: number,
): number {
  pos = numOrNeg(buf, lit(buf, pos, T_SPORT), sport);
  pos = numOrNeg(buf, lit(buf, pos, T_DPORT), dport);
  if (type < 0 && code < 0 && id < 0 && srckey < 0 && dstkey < 0) {
    pos = numOrNeg(buf, lit(buf, pos, T_NO_ICMP_GRE), packets);
  } else {
    pos = numOrNeg(buf, lit(buf, pos, T_TYPE), type);
    pos = numOrNeg(buf, lit(buf, pos, T_CODE), code);
    pos = numOrNeg(buf, lit(buf, pos, T_ID), id);
    pos = numOrNeg(buf, lit(buf, pos, T_SRCKEY), srckey);
    pos = numOrNeg(buf, lit(buf, pos, T_DSTKEY), dstkey);
    pos = numOrNeg(buf, lit(buf, pos, T_PACKETS), packets);
  }
  pos = numOrNeg(buf, lit(buf, pos, T_BYTES), bytes);
  pos = numOrNeg(buf, lit(buf, pos, T_ZONE), zone);
  buf[pos] = 125;
  return pos + 1;
}

const neg = (n: number | undefined): number => (n === undefined ? -1 : n);

function recordTuple(buf: Uint8Array, pos: number, t: Tuple): number {
  return tuple(buf, pos, t.src, t.dst, neg(t.sport), neg(t.dport), neg(t.type), neg(t.code), neg(t.id), neg(t.srckey),
    neg(t.dstkey), neg(t.packets), neg(t.bytes), neg(t.zone));
}

/** The fields after the tuples of a record with no secctx, id, helper or timestamps. */
function plainTail(
  buf: Uint8Array, pos: number, assured: boolean, unreplied: boolean, mark: number, zone: number, use: number,
  packetsTotal: number, bytesTotal: number, nat: string | undefined,
): number {
  pos = num(buf, lit(buf, pos, FLAGS[(assured ? 2 : 0) + (unreplied ? 1 : 0)]!), mark);
  pos = num(buf, lit(buf, pos, K_ZONE), zone);
  pos = numOrNeg(buf, lit(buf, pos, K_SECCTX_NULL_USE), use);
  pos = numOrNeg(buf, lit(buf, pos, K_NO_EXTRAS), packetsTotal);
  pos = numOrNeg(buf, lit(buf, pos, K_BYTES_TOTAL), bytesTotal);
  pos = strOrNull(buf, lit(buf, pos, K_NAT), nat);
  return lit(buf, pos, K_END);
}

/**
 * Writes `connToJsonLine(c)` (newline included) at `pos` and returns the position after it, or
 * -1 (nothing meaningful written) when the record needs the string writer. The caller
 * guarantees CONN_JSON_MAX free bytes at `pos`.
 */
export function writeConnJson(c: Conn, buf: Uint8Array, pos: number): number {
  if (c.labels !== undefined || c.extra !== undefined || c.exactCounters !== undefined) return -1;
  written.bad = false;
  pos = str(buf, lit(buf, pos, K_FAMILY), c.family);
  pos = str(buf, lit(buf, pos, K_PROTOCOL), c.protocol);
  pos = num(buf, lit(buf, pos, K_PROTONUM), c.protonum);
  pos = strOrNull(buf, lit(buf, pos, K_STATE), c.state);
  pos = numOrNull(buf, lit(buf, pos, K_TIMEOUT), c.timeout);
  pos = recordTuple(buf, lit(buf, pos, K_ORIGINAL), c.original);
  pos = recordTuple(buf, lit(buf, pos, K_REPLY), c.reply);
  if (!c.offload && !c.hwOffload && c.secctx === undefined && c.id === undefined && c.helper === undefined &&
      c.deltaTime === undefined && c.start === undefined && c.stop === undefined) {
    pos = plainTail(buf, pos, c.assured, c.unreplied, c.mark, c.zone, neg(c.use), neg(c.packetsTotal), neg(c.bytesTotal), c.nat);
    return written.bad ? -1 : pos;
  }
  pos = bool(buf, lit(buf, pos, K_ASSURED), c.assured);
  pos = bool(buf, lit(buf, pos, K_UNREPLIED), c.unreplied);
  pos = bool(buf, lit(buf, pos, K_OFFLOAD), c.offload);
  pos = bool(buf, lit(buf, pos, K_HW_OFFLOAD), c.hwOffload);
  pos = num(buf, lit(buf, pos, K_MARK), c.mark);
  pos = num(buf, lit(buf, pos, K_ZONE), c.zone);
  pos = strOrNull(buf, lit(buf, pos, K_SECCTX), c.secctx);
  pos = numOrNull(buf, lit(buf, pos, K_USE), c.use);
  pos = numOrNull(buf, lit(buf, pos, K_ID_LABELS), c.id);
  pos = strOrNull(buf, lit(buf, pos, K_LABELS_NULL), c.helper);
  pos = numOrNull(buf, lit(buf, pos, K_DELTA), c.deltaTime);
  pos = strOrNull(buf, lit(buf, pos, K_START), c.start);
  pos = strOrNull(buf, lit(buf, pos, K_STOP), c.stop);
  pos = numOrNull(buf, lit(buf, pos, K_PACKETS_TOTAL), c.packetsTotal);
  pos = numOrNull(buf, lit(buf, pos, K_BYTES_TOTAL), c.bytesTotal);
  pos = strOrNull(buf, lit(buf, pos, K_NAT), c.nat);
  pos = lit(buf, pos, K_END);
  return written.bad ? -1 : pos;
}

/**
 * `{"family":…,"protocol":…,"protonum":…,"state":` of a scanned line, one segment per protocol
 * number and family (the fast path names a protocol by its number).
 */
const scanHeads: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(512).fill(undefined);
function scanHead(s: ConnScan): Uint8Array {
  const at = s.protonum * 2 + (s.v6 ? 1 : 0);
  let head = scanHeads[at];
  if (head === undefined) {
    head = seg(`{"family":${JSON.stringify(s.familyName)},"protocol":${JSON.stringify(s.protocol)},"protonum":${s.protonum},"state":`);
    scanHeads[at] = head;
  }
  return head;
}

/**
 * Scan address slot k as a JSON string: an IPv4 address straight from its value (the digits of
 * each octet; no text looked up, no characters checked), any other through its canonical text.
 */
function scanAddressJson(s: ConnScan, k: number, buf: Uint8Array, pos: number): number {
  if (s.v6 || s.texts[k] !== undefined) return str(buf, pos, scanAddress(s, k));
  buf[pos] = 34;
  pos = writeIPv4(buf, pos + 1, s.words[k * 4 + 3]!);
  buf[pos] = 34;
  return pos + 1;
}

/** An IPv4 address (its 32-bit value) as dotted-quad text. */
export function writeIPv4(buf: Uint8Array, pos: number, v: number): number {
  pos = octet(buf, pos, v >>> 24);
  buf[pos++] = 46;
  pos = octet(buf, pos, (v >>> 16) & 255);
  buf[pos++] = 46;
  pos = octet(buf, pos, (v >>> 8) & 255);
  buf[pos++] = 46;
  return octet(buf, pos, v & 255);
}

/** 0–255 in decimal, no leading zeros. */
function octet(buf: Uint8Array, pos: number, o: number): number {
  if (o >= 100) {
    const h = (o / 100) | 0;
    buf[pos++] = 48 + h;
    o -= h * 100;
    const t = (o / 10) | 0;
    buf[pos++] = 48 + t;
    buf[pos] = 48 + o - t * 10;
    return pos + 1;
  }
  if (o >= 10) {
    const t = (o / 10) | 0;
    buf[pos++] = 48 + t;
    buf[pos] = 48 + o - t * 10;
    return pos + 1;
  }
  buf[pos] = 48 + o;
  return pos + 1;
}

/**
 * writeConnJson(connOfScan(s)) without making the record: what `list --ndjson` writes for
 * every line the fast path reads (test/render/conn-json-bytes.test.ts compares the two).
 */
export function writeScanJson(s: ConnScan, buf: Uint8Array, pos: number): number {
  if (s.offload || s.hwOffload) return writeConnJson(connOfScan(s), buf, pos);
  written.bad = false;
  const n = s.nums;
  pos = strOrNull(buf, lit(buf, pos, scanHead(s)), s.state);
  pos = numOrNeg(buf, lit(buf, pos, K_TIMEOUT), s.timeout);
  pos = scanAddressJson(s, ORIG_SRC, buf, lit(buf, lit(buf, pos, K_ORIGINAL), T_SRC));
  pos = scanAddressJson(s, ORIG_DST, buf, lit(buf, pos, T_DST));
  pos = tupleAfterAddresses(buf, pos, n[SPORT]!, n[DPORT]!, n[TYPE]!, n[CODE]!, n[ICMP_ID]!, -1, -1, n[PACKETS]!, n[BYTES]!, -1);
  pos = scanAddressJson(s, REPLY_SRC, buf, lit(buf, lit(buf, pos, K_REPLY), T_SRC));
  pos = scanAddressJson(s, REPLY_DST, buf, lit(buf, pos, T_DST));
  pos = tupleAfterAddresses(buf, pos, n[NUMS + SPORT]!, n[NUMS + DPORT]!, n[NUMS + TYPE]!, n[NUMS + CODE]!, n[NUMS + ICMP_ID]!,
    -1, -1, n[NUMS + PACKETS]!, n[NUMS + BYTES]!, -1);
  pos = plainTail(buf, pos, s.assured, s.unreplied, s.mark, s.zone, s.use,
    scanTotal(s, PACKETS), scanTotal(s, BYTES), scanNat(s));
  return written.bad ? -1 : pos;
}

/** One record's JSON after `before` (ASCII text), ended by its newline or not (`after`). */
export type JsonPut<T> = (r: T, before: string, after: '' | '\n') => void;

/**
 * Records as connToJsonLine's bytes straight into `sink`, from a record or from a scan with no
 * record made (list's JSON and NDJSON, in this thread or a scan worker); a record the byte writers
 * leave (labels, text that needs escaping) goes through `text` as connToJsonLine's string.
 */
export function jsonBytes(sink: ByteSink, text: (s: string) => void): { record: JsonPut<Conn>; scan: JsonPut<ConnScan> } {
  const put = <T>(write: (r: T, buf: Uint8Array, pos: number) => number, line: (r: T) => string): JsonPut<T> => (r, before, after) => {
    sink.reserve(CONN_JSON_MAX + before.length);
    const buf = sink.buf;
    const at = sink.pos;
    for (let i = 0; i < before.length; i++) buf[at + i] = before.charCodeAt(i);
    const end = write(r, buf, at + before.length);
    if (end < 0) {
      const l = line(r);
      text(before + (after === '\n' ? l : l.slice(0, -1)));
    } else {
      sink.pos = after === '\n' ? end : end - 1;
    }
  };
  return { record: put(writeConnJson, connToJsonLine), scan: put(writeScanJson, (s) => connToJsonLine(connOfScan(s))) };
}
