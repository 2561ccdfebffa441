// One line of a conntrack table → one `Conn`, or undefined when the line is not an entry.
//
// Reads every text variant the kernel and conntrack-tools print:
//   /proc/net/nf_conntrack   ipv4     2 tcp      6 431994 ESTABLISHED src=… [ASSURED] mark=0 zone=0 use=2
//   conntrack -L             tcp      6 431994 ESTABLISHED src=… [ASSURED] mark=0 use=1
//   -o extended,id,ktimestamp,labels, events without a timeout column, GRE's "timeout=30, stream_timeout=180"
//
// The full parser, behind the fast one (conn-bytes.ts): the lines it reads are the rare shapes
// and conntrack -E's events. The line is read once, left to right, word by word, each word by its
// reader into one reused draft of the entry: readFlag ([ASSURED] …), readHeadWord (family,
// protocol, timeout, state), readField (a tuple's fields, the trailing ones, unknown keys kept in
// extra); wholeEntry then judges the draft and builds the record as one literal in a fixed field
// order, so V8 keeps a single object shape. Keys are recognised by first char and length, numbers
// accumulated from char codes. It never throws.
//
// A line is an entry only when it is whole and every value fits its field. Whole: every table
// line the kernel and conntrack -L print carries `use=N` after the tuples (only -o id and
// -o labels print anything after it), so a line cut anywhere before that is no entry; a line
// cut after it is caught by the reader (parse/conn-records.ts: a last line without its newline is
// cut off). Values: ports and ICMP ids 0–65535, ICMP type and code 0–255, timeout, use, id and
// mark 32 bits, zones 16 bits, GRE keys 16 bits, counters 64 bits (exact, see exact-counters.ts),
// and the protocol name agrees with its number. rejectionReason() says which rule a rejected
// line broke, for --strict.
//
// Longer than 250 lines: every field of both printers (the kernel's and conntrack-tools') has its
// reader here, and they share the draft; split across modules they would share it as an export.

import { canonicalIPv6, parseIPv4 } from './address.js';
import { hasControl } from '../source/line-text.js';
import { emptyExactCounters, exactDigits, U64_MAX, withExactTotals } from './exact-counters.js';
import { protocolMismatch } from './known-names.js';
import { PROTOCOL_BY_NUMBER, type Conn, type ExactCounters, emptyTuple, type Family, type NatKind, type Tuple } from '../model.js';

const SPACE = 32;
const TAB = 9;
const OPEN_BRACKET = 91;
const U32_MAX = 0xffffffff;

/** Which rule the last rejected line broke, when it was a value or wholeness rule. */
let rejected: string | undefined;

/** Why the last parseConnLine call returned undefined, when a field's value or a cut told (else undefined). */
export function rejectionReason(): string | undefined {
  return rejected;
}

function reject(why: string): undefined {
  rejected = why;
  return undefined;
}

/** -1, the readers' "no entry", with the rule the line broke. */
function failWith(why: string): -1 {
  rejected = why;
  return -1;
}

/** `key must be 0–max, got value`, the reason for a number out of its field's range. */
function outOfRange(line: string, key: number, eq: number, next: number, max: number | bigint): -1 {
  return failWith(`${line.slice(key, eq)} must be 0–${max}, got ${line.slice(eq + 1, next)}`);
}

/** `exact` (made when none) with the digits of a counter above 2^53 − 1; undefined when it passes 2^64 − 1. */
function bigCounter(exact: ExactCounters | undefined, field: keyof ExactCounters, text: string): ExactCounters | undefined {
  const digits = exactDigits(text);
  if (digits === undefined) return undefined;
  const e = exact ?? emptyExactCounters();
  e[field] = digits;
  return e;
}

/** Decimal digits from `from` to `to` (exclusive), or -1 when empty or not all digits. */
function digits(line: string, from: number, to: number): number {
  if (from >= to || to - from > 20) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `0x…` hexadecimal (GRE keys), or -1. */
function hexNumber(line: string, from: number, to: number): number {
  if (to - from < 3 || to - from > 18 || line.charCodeAt(from) !== 48 || (line.charCodeAt(from + 1) | 32) !== 120) return -1;
  let n = 0;
  for (let i = from + 2; i < to; i++) {
    const c = line.charCodeAt(i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) v = (c | 32) - 87;
    else return -1;
    n = n * 16 + v;
  }
  return n;
}

/** An address as printed, in canonical text, or undefined when it is not one. */
function address(text: string): string | undefined {
  if (text.indexOf(':') >= 0) return canonicalIPv6(text);
  return parseIPv4(text) === undefined ? undefined : text;
}

/** The NAT kind of an entry whose source (snat) and/or destination (dnat) the reply tuple changed. */
export function natKind(snat: boolean, dnat: boolean): NatKind | undefined {
  return snat ? (dnat ? 'both' : 'snat') : dnat ? 'dnat' : undefined;
}

function natOf(o: Tuple, r: Tuple): NatKind | undefined {
  return natKind(r.dst !== o.src || r.dport !== o.sport, r.src !== o.dst || r.sport !== o.dport);
}

/** Protocols whose tuples must carry both ports for the line to be whole (conn-bytes.ts writes it out). */
function needsPorts(protonum: number): boolean {
  return protonum === 6 || protonum === 17 || protonum === 132 || protonum === 136;
}

/**
 * DCCP without a tracker (none since Linux 6.16, or nf_conntrack_proto_dccp not loaded): the
 * kernel keeps the entry as a generic one, /proc prints `unknown  33` with no ports, and
 * conntrack-tools prints `dccp     33` with `sport=0 dport=0` it made up. A tracked DCCP entry
 * always has a state, so all four ports 0 and no state is that placeholder: dropping it makes
 * both sources give the same record (and the same flows, filters and JSON).
 */
function isPlaceholderPorts(protonum: number, state: string | undefined, os: number | undefined, od: number | undefined, rs: number | undefined, rd: number | undefined): boolean {
  return protonum === 33 && state === undefined && os === 0 && od === 0 && rs === 0 && rd === 0;
}

function dropPlaceholderPorts(o: Tuple, r: Tuple): void {
  o.sport = undefined;
  o.dport = undefined;
  r.sport = undefined;
  r.dport = undefined;
}

/** A table line (/proc, conntrack -L, -D, -G, -U), which ends with use=N. */
export function parseConnLine(line: string): Conn | undefined {
  return parseConn(line, true);
}

/** The connection in an event line of conntrack -E (after its tag), which has no use=. */
export function parseEventConn(body: string): Conn | undefined {
  return parseConn(body, false);
}

/**
 * The entry being read, field by field: the record's own fields (wholeEntry derives the others)
 * and where the reader is. One object a line, made by begin().
 */
type Draft = Pick<Conn, 'protonum' | 'timeout' | 'state' | 'original' | 'reply' | 'assured' | 'unreplied' | 'offload' | 'hwOffload' |
  'mark' | 'secctx' | 'zone' | 'use' | 'id' | 'labels' | 'helper' | 'deltaTime' | 'start' | 'stop' | 'extra'> & {
  /** from the [ipv4 2 | ipv6 10] prefix, when the line has one */
  family: Family | undefined;
  protoName: string;
  /** head words read: [family l3num] are not counted; proto protonum [timeout] [STATE] are */
  positional: number;
  /** the tuple whose fields come now: the original until the second src= */
  tuple: Tuple;
  tuples: number;
  /** past the tuples (a trailing field or flag was read): no more tuple fields */
  trailer: boolean;
  exact: ExactCounters | undefined;
};

let d: Draft;

/** A new line: nothing read yet. */
function begin(): void {
  const original = emptyTuple();
  d = {
    family: undefined, protoName: '', protonum: -1, timeout: undefined, state: undefined, positional: 0,
    original, reply: emptyTuple(), tuple: original, tuples: 0, trailer: false,
    assured: false, unreplied: false, offload: false, hwOffload: false, mark: 0, secctx: undefined, zone: 0,
    use: undefined, id: undefined, labels: undefined, helper: undefined, deltaTime: undefined,
    start: undefined, stop: undefined, extra: undefined, exact: undefined,
  };
}

/** The line read left to right, word by word: a [FLAG], a head word or a key=value field. */
function parseConn(line: string, table: boolean): Conn | undefined {
  rejected = undefined;
  begin();
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 13 && c !== SPACE && c !== TAB && c !== 10) break;
    end--;
  }
  let pos = 0;
  while (pos < end) {
    const c = line.charCodeAt(pos);
    if (c === SPACE || c === TAB) {
      pos++;
      continue;
    }
    if (c === OPEN_BRACKET) {
      pos = readFlag(line, pos, end);
    } else {
      let next = line.indexOf(' ', pos);
      if (next < 0 || next > end) next = end;
      const eq = line.indexOf('=', pos);
      if (eq < 0 || eq >= next) pos = readHeadWord(line, pos, next, end);
      else pos = readField(line, pos, eq, next) ? next : -1;
    }
    if (pos < 0) return undefined;
  }
  return wholeEntry(table);
}

/** [ASSURED], [UNREPLIED], [OFFLOAD], [HW_OFFLOAD], [start=…], [stop=…] or another [WORD]; where it ends, or -1. */
function readFlag(line: string, pos: number, end: number): number {
  const close = line.indexOf(']', pos);
  if (close < 0 || close >= end) return -1;
  const len = close - pos - 1;
  if (len === 7 && line.startsWith('ASSURED', pos + 1)) d.assured = true;
  else if (len === 9 && line.startsWith('UNREPLIED', pos + 1)) d.unreplied = true;
  else if (len === 7 && line.startsWith('OFFLOAD', pos + 1)) d.offload = true;
  else if (len === 10 && line.startsWith('HW_OFFLOAD', pos + 1)) d.hwOffload = true;
  else if (line.startsWith('start=', pos + 1)) d.start = line.slice(pos + 7, close);
  else if (line.startsWith('stop=', pos + 1)) d.stop = line.slice(pos + 6, close);
  else {
    if (len <= 0 || hasControl(line, pos + 1, close)) return -1;
    (d.extra ??= {})[line.slice(pos + 1, close)] = '';
  }
  if (d.tuples === 2) d.trailer = true;
  return close + 1;
}

/** A bare word of the head: [family l3num] proto protonum [timeout] [STATE]; where it ends, or -1. */
function readHeadWord(line: string, pos: number, next: number, end: number): number {
  if (d.tuples > 0) return -1;
  const c = line.charCodeAt(pos);
  if (d.positional === 0 && c === 105 && next - pos === 4 && (line.startsWith('ipv4', pos) || line.startsWith('ipv6', pos))) {
    return readFamily(line, pos, next, end);
  }
  if (d.positional === 0) {
    const name = line.slice(pos, next);
    if (c < 97 || c > 122 || hasControl(name, 1, name.length)) return -1;
    d.protoName = name;
  } else if (d.positional === 1) {
    d.protonum = digits(line, pos, next);
    if (d.protonum < 0 || d.protonum > 255) return -1;
  } else if (c >= 48 && c <= 57) {
    if (d.timeout !== undefined || d.state !== undefined) return -1;
    const t = digits(line, pos, next);
    if (t < 0) return -1;
    if (t > U32_MAX) return failWith(`timeout must be 0–${U32_MAX}, got ${line.slice(pos, next)}`);
    d.timeout = t;
  } else if (c >= 65 && c <= 90 && d.state === undefined) {
    const state = line.slice(pos, next);
    for (let i = 1; i < state.length; i++) {
      const s = state.charCodeAt(i);
      if (!((s >= 65 && s <= 90) || s === 95 || (s >= 48 && s <= 57))) return -1;
    }
    d.state = state;
  } else {
    return -1;
  }
  d.positional++;
  return next;
}

/** `ipv4 2` or `ipv6 10`: the layer-3 number must agree with the family name; where it ends, or -1. */
function readFamily(line: string, pos: number, next: number, end: number): number {
  d.family = line.charCodeAt(pos + 3) === 52 ? 'ipv4' : 'ipv6';
  let p = next;
  while (p < end && line.charCodeAt(p) === SPACE) p++;
  let q = line.indexOf(' ', p);
  if (q < 0 || q > end) q = end;
  return digits(line, p, q) === (d.family === 'ipv4' ? 2 : 10) ? q : -1;
}

/** Whether the key from `pos` (of length `keyLen`) is `word`. */
function is(line: string, pos: number, keyLen: number, word: string): boolean {
  return keyLen === word.length && line.startsWith(word, pos);
}

/**
 * One key=value field (the key from `pos` to `eq`, the value up to `next`): a tuple's field, a
 * trailing field, or one this parser does not know (kept in extra); false when the line is no entry.
 */
function readField(line: string, pos: number, eq: number, next: number): boolean {
  // a key, like a [FLAG] or the protocol name, holding a control character is no field
  // conntrack prints (line-text.ts); values are kept as they are, and escaped where shown
  if (d.positional < 2 || hasControl(line, pos, eq)) return false;
  const keyLen = eq - pos;
  const t = d.tuple;
  switch (line.charCodeAt(pos)) {
    case 115: // s…
      if (keyLen === 3 && line.charCodeAt(pos + 1) === 114) return readSource(line, eq + 1, next);
      if (is(line, pos, keyLen, 'sport')) return (t.sport = bounded(line, pos, eq, next, 65535)) >= 0;
      if (is(line, pos, keyLen, 'srckey')) return (t.srckey = greKey(line, pos, eq, next)) >= 0;
      if (is(line, pos, keyLen, 'secctx')) {
        d.secctx = line.slice(eq + 1, next);
        return trailing(true);
      }
      break;
    case 100: // d…
      if (keyLen === 3 && line.charCodeAt(pos + 1) === 115) return readDestination(line, eq + 1, next);
      if (is(line, pos, keyLen, 'dport')) return (t.dport = bounded(line, pos, eq, next, 65535)) >= 0;
      if (is(line, pos, keyLen, 'dstkey')) return (t.dstkey = greKey(line, pos, eq, next)) >= 0;
      if (is(line, pos, keyLen, 'delta-time')) return trailing((d.deltaTime = digits(line, eq + 1, next)) >= 0);
      break;
    case 112: // packets, inside a tuple
      if (is(line, pos, keyLen, 'packets') && d.tuples > 0 && !d.trailer) {
        return (t.packets = counter(line, pos, eq, next, t === d.original ? 'originalPackets' : 'replyPackets')) >= 0;
      }
      break;
    case 98: // bytes, inside a tuple
      if (is(line, pos, keyLen, 'bytes') && d.tuples > 0 && !d.trailer) {
        return (t.bytes = counter(line, pos, eq, next, t === d.original ? 'originalBytes' : 'replyBytes')) >= 0;
      }
      break;
    case 116: // type; or GRE's "timeout=30," in /proc, kept without its comma
      if (is(line, pos, keyLen, 'type') && d.tuples > 0) return (t.type = bounded(line, pos, eq, next, 255)) >= 0;
      return keep(line, pos, eq, next > eq + 1 && line.charCodeAt(next - 1) === 44 ? next - 1 : next);
    case 99: // code
      if (is(line, pos, keyLen, 'code') && d.tuples > 0) return (t.code = bounded(line, pos, eq, next, 255)) >= 0;
      break;
    case 105: // id: the ICMP echo id inside a tuple, or conntrack's entry id after it
      if (keyLen === 2 && line.charCodeAt(pos + 1) === 100) return readId(line, pos, eq, next);
      break;
    case 109:
      if (is(line, pos, keyLen, 'mark')) return trailing((d.mark = bounded(line, pos, eq, next, U32_MAX)) >= 0);
      break;
    case 122: // zone, zone-orig, zone-reply
      if (is(line, pos, keyLen, 'zone')) return trailing((d.zone = bounded(line, pos, eq, next, 65535)) >= 0);
      if (is(line, pos, keyLen, 'zone-orig') || is(line, pos, keyLen, 'zone-reply')) {
        return d.tuples > 0 && (t.zone = bounded(line, pos, eq, next, 65535)) >= 0;
      }
      break;
    case 117:
      if (is(line, pos, keyLen, 'use')) return trailing((d.use = bounded(line, pos, eq, next, U32_MAX)) >= 0);
      break;
    case 108:
      if (is(line, pos, keyLen, 'labels')) {
        d.labels = next > eq + 1 ? line.slice(eq + 1, next).split(',') : [];
        return trailing(true);
      }
      break;
    case 104:
      if (is(line, pos, keyLen, 'helper')) {
        d.helper = line.slice(eq + 1, next);
        return trailing(true);
      }
      break;
    default:
      if (keyLen === 0) return false;
  }
  return keep(line, pos, eq, next);
}

/** A trailing field was read: no tuple field may follow; returns `ok`. */
function trailing(ok: boolean): boolean {
  d.trailer = true;
  return ok;
}

/** A field this parser does not know, kept so a newer kernel loses nothing. */
function keep(line: string, pos: number, eq: number, to: number): true {
  (d.extra ??= {})[line.slice(pos, eq)] = line.slice(eq + 1, to);
  return true;
}

/** src=: the first starts the original tuple, the second the reply. */
function readSource(line: string, v: number, next: number): boolean {
  if (d.tuples === 2 || d.trailer) return false;
  d.tuple = d.tuples === 0 ? d.original : d.reply;
  d.tuples++;
  const a = address(line.slice(v, next));
  if (a === undefined) return false;
  d.tuple.src = a;
  return true;
}

/** dst=, inside a tuple. */
function readDestination(line: string, v: number, next: number): boolean {
  if (d.tuples === 0 || d.trailer) return false;
  const a = address(line.slice(v, next));
  if (a === undefined) return false;
  d.tuple.dst = a;
  return true;
}

/** id=: the ICMP echo id of an ICMP tuple (after its code, once), else conntrack's entry id. */
function readId(line: string, pos: number, eq: number, next: number): boolean {
  const t = d.tuple;
  if (!d.trailer && d.tuples > 0 && t.code !== undefined && t.id === undefined) {
    return (t.id = bounded(line, pos, eq, next, 65535)) >= 0;
  }
  return (d.id = bounded(line, pos, eq, next, U32_MAX)) >= 0;
}

/** The value's decimal digits when 0–max; -1 when not digits, or (with the reason) out of range. */
function bounded(line: string, key: number, eq: number, next: number, max: number): number {
  const n = digits(line, eq + 1, next);
  if (n > max) return outOfRange(line, key, eq, next, max);
  return n;
}

/** A GRE key (`0x…`, 16 bits), or -1. */
function greKey(line: string, key: number, eq: number, next: number): number {
  const n = hexNumber(line, eq + 1, next);
  if (n > 0xffff) return outOfRange(line, key, eq, next, 0xffff);
  return n;
}

/** A 64-bit counter (its exact digits kept in d.exact above 2^53 − 1), or -1. */
function counter(line: string, key: number, eq: number, next: number, field: keyof ExactCounters): number {
  const n = digits(line, eq + 1, next);
  if (n > Number.MAX_SAFE_INTEGER && (d.exact = bigCounter(d.exact, field, line.slice(eq + 1, next))) === undefined) {
    return outOfRange(line, key, eq, next, U64_MAX);
  }
  return n;
}

/**
 * The record of the line read, when it is a whole entry: its closing use=N (table lines), both
 * tuples with both addresses of one family, ports where the protocol has them, and a protocol
 * name that agrees with its number.
 */
function wholeEntry(table: boolean): Conn | undefined {
  const { original, reply } = d;
  if (table && d.use === undefined && d.positional >= 2) return reject('cut off: no use=N field, which every table line has');
  if (d.tuples !== 2 || d.positional < 2 || original.dst === '' || reply.dst === '') return undefined;
  const mismatch = protocolMismatch(d.protoName, d.protonum);
  if (mismatch !== undefined) return reject(mismatch);
  if (needsPorts(d.protonum)) {
    if (original.sport === undefined || original.dport === undefined || reply.sport === undefined || reply.dport === undefined) {
      return undefined;
    }
  }
  if (isPlaceholderPorts(d.protonum, d.state, original.sport, original.dport, reply.sport, reply.dport)) dropPlaceholderPorts(original, reply);
  const v6 = original.src.indexOf(':') >= 0;
  if (d.family !== undefined && (d.family === 'ipv6') !== v6) return undefined;
  if ((original.dst.indexOf(':') >= 0) !== v6 || (reply.src.indexOf(':') >= 0) !== v6 || (reply.dst.indexOf(':') >= 0) !== v6) {
    return undefined;
  }
  const counted = original.packets !== undefined && reply.packets !== undefined;
  const exact = counted ? withExactTotals(original, reply, d.exact) : d.exact;
  return {
    family: v6 ? 'ipv6' : 'ipv4',
    protocol: PROTOCOL_BY_NUMBER.get(d.protonum) ?? d.protoName,
    protonum: d.protonum,
    timeout: d.timeout,
    state: d.state,
    original,
    reply,
    assured: d.assured,
    unreplied: d.unreplied,
    offload: d.offload,
    hwOffload: d.hwOffload,
    mark: d.mark,
    secctx: d.secctx,
    zone: d.zone,
    use: d.use,
    id: d.id,
    labels: d.labels,
    helper: d.helper,
    deltaTime: d.deltaTime,
    start: d.start,
    stop: d.stop,
    extra: d.extra,
    packetsTotal: counted ? original.packets! + reply.packets! : undefined,
    bytesTotal: counted ? (original.bytes ?? 0) + (reply.bytes ?? 0) : undefined,
    nat: natOf(original, reply),
    exactCounters: exact,
  };
}
