// One line of a conntrack table → one `Conn`, or undefined when the line is not an entry.
//
// Reads every text variant the kernel and conntrack-tools print:
//   /proc/net/nf_conntrack   ipv4     2 tcp      6 431994 ESTABLISHED src=… [ASSURED] mark=0 zone=0 use=2
//   conntrack -L             tcp      6 431994 ESTABLISHED src=… [ASSURED] mark=0 use=1
//   -o extended,id,ktimestamp,labels, events without a timeout column, GRE's "timeout=30, stream_timeout=180"
//
// This is the hot loop (a million lines in well under a second): the line is read once, left to
// right, token by token with indexOf/charCodeAt; keys are recognised by length and first char,
// numbers are accumulated from char codes, and each record is built as one literal in a fixed
// field order so V8 keeps a single object shape. It never throws.
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
// Longer than 250 lines: every variant of both printers (the kernel's and conntrack-tools') is
// read in one pass, with the readers of the tuple, status and trailing fields below it.

import { canonicalIPv6, parseIPv4 } from './address.js';
import { hasControl } from '../source/line-text.js';
import { emptyExactCounters, exactDigits, U64_MAX, withExactTotals } from './exact-counters.js';
import { protocolMismatch } from './known-names.js';
import { PROTOCOL_BY_NUMBER, type Conn, type ExactCounters, type Family, type NatKind, type Tuple } from '../model.js';

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

/** `key must be 0–max, got value`, the reason for a number out of its field's range. */
function outOfRange(line: string, key: number, eq: number, next: number, max: number | bigint): undefined {
  return reject(`${line.slice(key, eq)} must be 0–${max}, got ${line.slice(eq + 1, next)}`);
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

function newTuple(): Tuple {
  return {
    src: '', dst: '', sport: undefined, dport: undefined, type: undefined, code: undefined,
    id: undefined, srckey: undefined, dstkey: undefined, packets: undefined, bytes: undefined,
    zone: undefined,
  };
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

function parseConn(line: string, table: boolean): Conn | undefined {
  rejected = undefined;
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 13 && c !== SPACE && c !== TAB && c !== 10) break;
    end--;
  }
  let pos = 0;

  // positional head: [family l3num] proto protonum [timeout] [gre timeouts] [STATE]
  let family: Family | undefined;
  let protoName = '';
  let protonum = -1;
  let timeout: number | undefined;
  let state: string | undefined;

  const original = newTuple();
  const reply = newTuple();
  let tuple = original;
  let tuples = 0;
  let trailer = false;
  let assured = false;
  let unreplied = false;
  let offload = false;
  let hwOffload = false;
  let mark = 0;
  let secctx: string | undefined;
  let zone = 0;
  let use: number | undefined;
  let id: number | undefined;
  let labels: string[] | undefined;
  let helper: string | undefined;
  let deltaTime: number | undefined;
  let start: string | undefined;
  let stop: string | undefined;
  let extra: Record<string, string> | undefined;
  let exact: ExactCounters | undefined;
  let positional = 0;

  while (pos < end) {
    let c = line.charCodeAt(pos);
    if (c === SPACE || c === TAB) { pos++; continue; }
    let next: number;
    if (c === OPEN_BRACKET) {
      // [ASSURED], [UNREPLIED], [OFFLOAD], [HW_OFFLOAD], [start=Tue Nov 24 09:16:00 2026]
      const close = line.indexOf(']', pos);
      if (close < 0 || close >= end) return undefined;
      const len = close - pos - 1;
      if (len === 7 && line.startsWith('ASSURED', pos + 1)) assured = true;
      else if (len === 9 && line.startsWith('UNREPLIED', pos + 1)) unreplied = true;
      else if (len === 7 && line.startsWith('OFFLOAD', pos + 1)) offload = true;
      else if (len === 10 && line.startsWith('HW_OFFLOAD', pos + 1)) hwOffload = true;
      else if (line.startsWith('start=', pos + 1)) start = line.slice(pos + 7, close);
      else if (line.startsWith('stop=', pos + 1)) stop = line.slice(pos + 6, close);
      else {
        if (len <= 0 || hasControl(line, pos + 1, close)) return undefined;
        (extra ??= {})[line.slice(pos + 1, close)] = '';
      }
      if (tuples === 2) trailer = true;
      pos = close + 1;
      continue;
    }
    next = line.indexOf(' ', pos);
    if (next < 0 || next > end) next = end;
    const eq = line.indexOf('=', pos);
    if (eq < 0 || eq >= next) {
      // a bare word: part of the positional head
      if (tuples > 0) return undefined;
      if (positional === 0 && (c === 105) && next - pos === 4 && (line.startsWith('ipv4', pos) || line.startsWith('ipv6', pos))) {
        family = line.charCodeAt(pos + 3) === 52 ? 'ipv4' : 'ipv6';
        // the layer-3 number must agree with the family name
        let p = next;
        while (p < end && line.charCodeAt(p) === SPACE) p++;
        let q = line.indexOf(' ', p);
        if (q < 0 || q > end) q = end;
        const l3 = digits(line, p, q);
        if (l3 !== (family === 'ipv4' ? 2 : 10)) return undefined;
        pos = q;
        continue;
      }
      if (positional === 0) {
        protoName = line.slice(pos, next);
        c = protoName.charCodeAt(0);
        if (c < 97 || c > 122 || hasControl(protoName, 1, protoName.length)) return undefined;
      } else if (positional === 1) {
        protonum = digits(line, pos, next);
        if (protonum < 0 || protonum > 255) return undefined;
      } else if (c >= 48 && c <= 57) {
        if (timeout !== undefined || state !== undefined) return undefined;
        const t = digits(line, pos, next);
        if (t < 0) return undefined;
        if (t > U32_MAX) return reject(`timeout must be 0–${U32_MAX}, got ${line.slice(pos, next)}`);
        timeout = t;
      } else if (c >= 65 && c <= 90 && state === undefined) {
        state = line.slice(pos, next);
        for (let i = 1; i < state.length; i++) {
          const s = state.charCodeAt(i);
          if (!((s >= 65 && s <= 90) || s === 95 || (s >= 48 && s <= 57))) return undefined;
        }
      } else {
        return undefined;
      }
      positional++;
      pos = next;
      continue;
    }
    // a key, like a [FLAG] or the protocol name, holding a control character is no field
    // conntrack prints (line-text.ts); values are kept as they are, and escaped where shown
    if (positional < 2 || hasControl(line, pos, eq)) return undefined;
    const keyLen = eq - pos;
    const v = eq + 1;
    let n: number;
    switch (c) {
      case 115: // s…
        if (keyLen === 3 && line.charCodeAt(pos + 1) === 114) { // src
          if (tuples === 2 || trailer) return undefined;
          tuple = tuples === 0 ? original : reply;
          tuples++;
          const a = address(line.slice(v, next));
          if (a === undefined) return undefined;
          tuple.src = a;
        } else if (keyLen === 5 && line.startsWith('sport', pos)) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > 65535) return outOfRange(line, pos, eq, next, 65535);
          tuple.sport = n;
        } else if (keyLen === 6 && line.startsWith('srckey', pos)) {
          if ((n = hexNumber(line, v, next)) < 0) return undefined;
          if (n > 0xffff) return outOfRange(line, pos, eq, next, 0xffff);
          tuple.srckey = n;
        } else if (keyLen === 6 && line.startsWith('secctx', pos)) {
          secctx = line.slice(v, next);
          trailer = true;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 100: // d…
        if (keyLen === 3 && line.charCodeAt(pos + 1) === 115) { // dst
          if (tuples === 0 || trailer) return undefined;
          const a = address(line.slice(v, next));
          if (a === undefined) return undefined;
          tuple.dst = a;
        } else if (keyLen === 5 && line.startsWith('dport', pos)) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > 65535) return outOfRange(line, pos, eq, next, 65535);
          tuple.dport = n;
        } else if (keyLen === 6 && line.startsWith('dstkey', pos)) {
          if ((n = hexNumber(line, v, next)) < 0) return undefined;
          if (n > 0xffff) return outOfRange(line, pos, eq, next, 0xffff);
          tuple.dstkey = n;
        } else if (keyLen === 10 && line.startsWith('delta-time', pos)) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          deltaTime = n;
          trailer = true;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 112: // packets
        if (keyLen === 7 && line.startsWith('packets', pos) && tuples > 0 && !trailer) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > Number.MAX_SAFE_INTEGER &&
              (exact = bigCounter(exact, tuple === original ? 'originalPackets' : 'replyPackets', line.slice(v, next))) === undefined) {
            return outOfRange(line, pos, eq, next, U64_MAX);
          }
          tuple.packets = n;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 98: // bytes
        if (keyLen === 5 && line.startsWith('bytes', pos) && tuples > 0 && !trailer) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > Number.MAX_SAFE_INTEGER &&
              (exact = bigCounter(exact, tuple === original ? 'originalBytes' : 'replyBytes', line.slice(v, next))) === undefined) {
            return outOfRange(line, pos, eq, next, U64_MAX);
          }
          tuple.bytes = n;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 116: // type, or GRE's "timeout=30," in /proc
        if (keyLen === 4 && line.startsWith('type', pos) && tuples > 0) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > 255) return outOfRange(line, pos, eq, next, 255);
          tuple.type = n;
        } else {
          const raw = line.slice(v, next);
          (extra ??= {})[line.slice(pos, eq)] = raw.endsWith(',') ? raw.slice(0, -1) : raw;
        }
        break;
      case 99: // code
        if (keyLen === 4 && line.startsWith('code', pos) && tuples > 0) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > 255) return outOfRange(line, pos, eq, next, 255);
          tuple.code = n;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 105: // id: the ICMP echo id inside a tuple, or conntrack's entry id after it
        if (keyLen === 2 && line.charCodeAt(pos + 1) === 100) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (!trailer && tuples > 0 && tuple.code !== undefined && tuple.id === undefined) {
            if (n > 65535) return outOfRange(line, pos, eq, next, 65535);
            tuple.id = n;
          } else {
            if (n > U32_MAX) return outOfRange(line, pos, eq, next, U32_MAX);
            id = n;
          }
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 109: // mark
        if (keyLen === 4 && line.startsWith('mark', pos)) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > U32_MAX) return outOfRange(line, pos, eq, next, U32_MAX);
          mark = n;
          trailer = true;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 122: // zone, zone-orig, zone-reply
        if (keyLen === 4 && line.startsWith('zone', pos)) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > 65535) return outOfRange(line, pos, eq, next, 65535);
          zone = n;
          trailer = true;
        } else if ((keyLen === 9 && line.startsWith('zone-orig', pos)) || (keyLen === 10 && line.startsWith('zone-reply', pos))) {
          if ((n = digits(line, v, next)) < 0 || tuples === 0) return undefined;
          if (n > 65535) return outOfRange(line, pos, eq, next, 65535);
          tuple.zone = n;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 117: // use
        if (keyLen === 3 && line.startsWith('use', pos)) {
          if ((n = digits(line, v, next)) < 0) return undefined;
          if (n > U32_MAX) return outOfRange(line, pos, eq, next, U32_MAX);
          use = n;
          trailer = true;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 108: // labels
        if (keyLen === 6 && line.startsWith('labels', pos)) {
          labels = next > v ? line.slice(v, next).split(',') : [];
          trailer = true;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      case 104: // helper
        if (keyLen === 6 && line.startsWith('helper', pos)) {
          helper = line.slice(v, next);
          trailer = true;
        } else {
          (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
        }
        break;
      default:
        if (keyLen === 0) return undefined;
        (extra ??= {})[line.slice(pos, eq)] = line.slice(v, next);
    }
    pos = next;
  }

  // a whole entry has its closing use=N, both tuples with both addresses, and ports where the
  // protocol has them
  if (table && use === undefined && positional >= 2) return reject('cut off: no use=N field, which every table line has');
  if (tuples !== 2 || positional < 2 || original.dst === '' || reply.dst === '') return undefined;
  const mismatch = protocolMismatch(protoName, protonum);
  if (mismatch !== undefined) return reject(mismatch);
  if (needsPorts(protonum)) {
    if (original.sport === undefined || original.dport === undefined || reply.sport === undefined || reply.dport === undefined) {
      return undefined;
    }
  }
  if (isPlaceholderPorts(protonum, state, original.sport, original.dport, reply.sport, reply.dport)) dropPlaceholderPorts(original, reply);
  const v6 = original.src.indexOf(':') >= 0;
  if (family === undefined) family = v6 ? 'ipv6' : 'ipv4';
  else if ((family === 'ipv6') !== v6) return undefined;
  if ((original.dst.indexOf(':') >= 0) !== v6 || (reply.src.indexOf(':') >= 0) !== v6 || (reply.dst.indexOf(':') >= 0) !== v6) {
    return undefined;
  }
  const protocol = PROTOCOL_BY_NUMBER.get(protonum) ?? protoName;
  const counted = original.packets !== undefined && reply.packets !== undefined;
  if (counted) exact = withExactTotals(original, reply, exact);

  return {
    family,
    protocol,
    protonum,
    timeout,
    state,
    original,
    reply,
    assured,
    unreplied,
    offload,
    hwOffload,
    mark,
    secctx,
    zone,
    use,
    id,
    labels,
    helper,
    deltaTime,
    start,
    stop,
    extra,
    packetsTotal: counted ? original.packets! + reply.packets! : undefined,
    bytesTotal: counted ? (original.bytes ?? 0) + (reply.bytes ?? 0) : undefined,
    nat: natOf(original, reply),
    exactCounters: exact,
  };
}
