// The fast path of the line parser: one conntrack line read straight from the bytes of a chunk,
// with no string made for the line and none for its numbers.
//
// parseConnLine (conn-line.ts) reads every variant the kernel and conntrack-tools print and costs
// about 1.5 µs a line; on a million-line table that alone is over the time budget. Almost every
// line of a real table has one shape, though:
//   [ipv4 2] tcp 6 431994 ESTABLISHED src=… dst=… sport=… dport=… [packets= bytes=] [UNREPLIED]
//   src=… dst=… sport=… dport=… [packets= bytes=] [ASSURED] [mark=N] [zone=N] [use=N]
// (and the icmp/icmpv6 tuples type= code= id=). scanConnBytes reads that shape from a byte range
// into typed fields (ConnScan: numbers and address words, no strings, no objects), and
// connOfScan builds from them the very record parseConnLine would; flows and stats count from
// the scan without any record. Anything else — GRE keys, directional zones, labels, helpers,
// timestamps, ids, unknown keys, odd spacing, a value it would have to judge (out of its field's
// range, a protocol name that is not its number's, a state its protocol does not have, no
// closing use=N) — makes it return undefined *without judging the line*: the caller then hands
// the line to parseConnLine, which decides (and says why under --strict). So the fast path can
// only ever agree with the slow one (test/parse/conn-bytes.test.ts compares them on every
// fixture line and on mutated lines, test/parse/cut-lines.test.ts on every cut of them).
//
// Strings: family, protocol and state come from constant tables; an address is read as its
// value (32 or 128 bits) and its text, when a record needs it, memoised by that value (a table
// repeats the same few thousand addresses); other IPv6 spellings go through canonicalIPv6, as
// in the slow path.
//
// Longer than 250 lines: the scanner is one pass over the bytes whose readers (numbers, addresses,
// keys) the JIT inlines; split across modules they measured slower (docs/performance.md).

import { canonicalIPv6, formatIPv6 } from './address.js';
import { PROTOCOL_BY_NUMBER, PROTOCOL_STATES, type Conn, type Family, type NatKind, type Tuple } from '../model.js';
import { natKind } from './conn-line.js';

const SP = 32;
const EQ = 61;

/** The protocols whose lines the fast path reads, by number; others go to the slow path. */
const FAST_PROTOCOL: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
for (const n of [1, 6, 17, 33, 58, 132, 136]) FAST_PROTOCOL[n] = PROTOCOL_BY_NUMBER.get(n);

/**
 * Each fast protocol's states grouped by length (by protocol number, then length), so a state is
 * interned by comparing a handful of bytes; a state of another protocol is left to the slow path.
 */
const STATES_BY_LENGTH: string[][][] = [];
for (let n = 0; n < 256; n++) {
  const byLength: string[][] = [];
  for (const name of PROTOCOL_STATES[FAST_PROTOCOL[n] ?? ''] ?? []) (byLength[name.length] ??= []).push(name);
  STATES_BY_LENGTH.push(byLength);
}
const U32_MAX = 0xffffffff;

/** Where the last number/address read stopped (the index of the byte after it). */
let stop = 0;

/** Decimal digits from `from` up to a space or `end`; -1 when empty, too long or not all digits. */
function number(buf: Uint8Array, from: number, end: number): number {
  let n = 0;
  let i = from;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === SP) break;
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  // 15 digits stay exact in a double; longer ones are left to the slow path
  if (i === from || i - from > 15) return -1;
  stop = i;
  return n;
}

// Address text memoised by value in direct-mapped tables (a slot per hash, a miss overwrites):
// cheaper than a Map lookup, and a table repeats the same few thousand addresses. The text is
// only made when a record is built: flows and stats count by the values themselves.
const MEMO_BITS = 14;
const MEMO_SIZE = 1 << MEMO_BITS;
const v4Keys = new Int32Array(MEMO_SIZE);
const v4Text: (string | undefined)[] = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
const v6Keys = new Int32Array(MEMO_SIZE * 4);
const v6Text: (string | undefined)[] = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
/** Set by address(): whether the last address read was IPv6. */
let lastWasV6 = false;

/**
 * The address value up to a space or `end` into scan address slot `k` (its words, or its
 * canonical text for a spelling other than /proc's); false when the slow path must decide.
 * Read as IPv4 first; whatever is not a dotted quad (a colon, a hex digit, an octet over 255) is
 * handed to the IPv6 reader, which, like the slow path, accepts only what canonicalIPv6 does.
 */
function address(buf: Buffer, from: number, end: number, k: number): boolean {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let i = from;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 46) {
      if (digits === 0 || dots === 3) return ipv6(buf, from, end, k);
      value = (value << 8) | octet;
      dots++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return ipv6(buf, from, end, k); // leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return ipv6(buf, from, end, k);
      digits++;
    } else if (c === SP) {
      break;
    } else {
      return ipv6(buf, from, end, k);
    }
  }
  if (digits === 0 || dots !== 3) return false;
  stop = i;
  lastWasV6 = false;
  const w = SCAN.words;
  const b = k * 4;
  w[b] = 0;
  w[b + 1] = 0;
  w[b + 2] = 0;
  w[b + 3] = (value << 8) | octet;
  SCAN.texts[k] = undefined;
  return true;
}

/**
 * IPv6 as /proc prints it: 8 groups of 1–4 hex digits, no "::". Any other spelling (compressed,
 * IPv4-suffixed) goes through canonicalIPv6 as text, exactly as in the slow path.
 */
function ipv6(buf: Buffer, from: number, end: number, k: number): boolean {
  let w0 = 0, w1 = 0, w2 = 0, w3 = 0;
  let group = 0;
  let hex = 0;
  let groups = 0;
  let i = from;
  for (; i < end; i++) {
    const c = buf[i]!;
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) v = (c | 32) - 87;
    else if (c === 58 && hex > 0 && groups < 7) {
      if (groups < 2) w0 = (w0 << 16) | group;
      else if (groups < 4) w1 = (w1 << 16) | group;
      else if (groups < 6) w2 = (w2 << 16) | group;
      else w3 = group;
      groups++;
      group = 0;
      hex = 0;
      continue;
    } else if (c === SP) break;
    else return ipv6Text(buf, from, end, k);
    if (++hex > 4) return ipv6Text(buf, from, end, k);
    group = (group << 4) | v;
  }
  if (groups !== 7 || hex === 0) return ipv6Text(buf, from, end, k);
  stop = i;
  lastWasV6 = true;
  const w = SCAN.words;
  const b = k * 4;
  w[b] = w0;
  w[b + 1] = w1;
  w[b + 2] = w2;
  w[b + 3] = (w3 << 16) | group;
  SCAN.texts[k] = undefined;
  return true;
}

function ipv6Text(buf: Buffer, from: number, end: number, k: number): boolean {
  let i = from;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === SP) break;
    if (!(c === 58 || c === 46 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102))) return false;
  }
  const text = canonicalIPv6(buf.toString('latin1', from, i));
  if (text === undefined) return false;
  stop = i;
  lastWasV6 = true;
  SCAN.texts[k] = text;
  return true;
}

/** The canonical text of scan address slot `k` (memoised by value). */
export function scanAddress(s: ConnScan, k: number): string {
  const given = s.texts[k];
  if (given !== undefined) return given;
  const w = s.words;
  const b = k * 4;
  if (!s.v6) {
    const value = w[b + 3]!;
    const slot = Math.imul(value, 0x9e3779b1) >>> (32 - MEMO_BITS);
    let text = v4Text[slot];
    if (text === undefined || v4Keys[slot] !== value) {
      text = `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
      v4Keys[slot] = value;
      v4Text[slot] = text;
    }
    return text;
  }
  const w0 = w[b]!, w1 = w[b + 1]!, w2 = w[b + 2]!, w3 = w[b + 3]!;
  const slot = Math.imul(w0 ^ Math.imul(w1, 31) ^ Math.imul(w2, 961) ^ Math.imul(w3, 29791), 0x9e3779b1) >>> (32 - MEMO_BITS);
  const m = slot * 4;
  let text = v6Text[slot];
  if (text === undefined || v6Keys[m] !== w0 || v6Keys[m + 1] !== w1 || v6Keys[m + 2] !== w2 || v6Keys[m + 3] !== w3) {
    text = formatIPv6([w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff]);
    v6Keys[m] = w0;
    v6Keys[m + 1] = w1;
    v6Keys[m + 2] = w2;
    v6Keys[m + 3] = w3;
    v6Text[slot] = text;
  }
  return text;
}

/** A state of protocol `protonum` spelled by the bytes from `from` to `to`, or undefined. */
function stateName(buf: Uint8Array, from: number, to: number, protonum: number): string | undefined {
  const candidates = STATES_BY_LENGTH[protonum]![to - from];
  if (candidates === undefined) return undefined;
  for (const name of candidates) {
    let i = 0;
    while (i < name.length && name.charCodeAt(i) === buf[from + i]) i++;
    if (i === name.length) return name;
  }
  return undefined;
}

/** Whether the bytes from `from` to `to` spell `word`. */
function spells(buf: Uint8Array, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[from + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** `word` at `at`, followed by a space or the end. */
function bracket(buf: Uint8Array, at: number, end: number, word: string): boolean {
  const close = at + word.length;
  if (close > end || (close < end && buf[close] !== SP)) return false;
  for (let i = 0; i < word.length; i++) if (buf[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Numbers per tuple in ConnScan.nums, at these offsets (the reply's at NUMS + offset). */
export const SPORT = 0;
export const DPORT = 1;
export const TYPE = 2;
export const CODE = 3;
export const ICMP_ID = 4;
export const PACKETS = 5;
export const BYTES = 6;
/** only the full parser's lines have these (scanOfConn): GRE keys and the directional zone */
export const SRCKEY = 7;
export const DSTKEY = 8;
export const TUPLE_ZONE = 9;
/** the numbers the fast path reads, the first of each tuple's */
const FAST_NUMS = 7;
export const NUMS = 10;
/** Address slots in ConnScan.words / texts. */
export const ORIG_SRC = 0;
export const ORIG_DST = 1;
export const REPLY_SRC = 2;
export const REPLY_DST = 3;

/**
 * One entry in typed fields, no objects: the record contract every counting consumer reads
 * (flows, stats). The fast path fills one (SCAN) from the bytes, overwritten by every
 * scanConnBytes call; scanOfConn fills another from a record the full parser made (the rare
 * line shapes, with the fields only that parser reads). A caller reads it at once or turns it
 * into a record with connOfScan.
 */
export class ConnScan {
  /** whether the addresses are IPv6 */
  v6 = false;
  protocol = '';
  protonum = 0;
  /** -1: none */
  timeout = -1;
  state: string | undefined = undefined;
  assured = false;
  unreplied = false;
  offload = false;
  hwOffload = false;
  mark = 0;
  zone = 0;
  /** -1: none */
  use = -1;
  /** 4 addresses (ORIG_SRC … REPLY_DST) × 4 int32 words, big-endian order; IPv4 in word 3 */
  readonly words = new Int32Array(16);
  /** canonical text of an address another spelling than /proc's gave (compressed IPv6) */
  readonly texts: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  /** per tuple (original at 0, reply at NUMS): SPORT … TUPLE_ZONE; -1 where the line has none */
  readonly nums = new Float64Array(2 * NUMS).fill(-1);
  /** the full parser's record of the line (scanOfConn), which holds what no field here does */
  record: Conn | undefined = undefined;

  get familyName(): Family {
    // a [ipv4 2]/[ipv6 10] prefix that disagreed with the addresses sent the line to the slow path
    return this.v6 ? 'ipv6' : 'ipv4';
  }
}

const SCAN = new ConnScan();

/**
 * The line in `buf[start, end)` (no newline) read into the shared ConnScan, or undefined when the
 * line is not of the common shape — then parseConnLine must read it (it may still be a valid
 * entry). The scan is valid until the next call.
 */
export function scanConnBytes(buf: Buffer, start: number, end: number): ConnScan | undefined {
  // trailing CR, spaces, tabs
  while (end > start) {
    const c = buf[end - 1]!;
    if (c !== 13 && c !== SP && c !== 9 && c !== 10) break;
    end--;
  }
  let i = start;
  while (i < end && buf[i] === SP) i++;

  // [ipv4 2 | ipv6 10]
  let family: Family | undefined;
  if (buf[i] === 105 && buf[i + 1] === 112 && buf[i + 2] === 118 && buf[i + 4] === SP) {
    const f = buf[i + 3];
    if (f !== 52 && f !== 54) return undefined;
    family = f === 52 ? 'ipv4' : 'ipv6';
    i += 4;
    while (i < end && buf[i] === SP) i++;
    const l3 = number(buf, i, end);
    if (l3 !== (family === 'ipv4' ? 2 : 10)) return undefined;
    i = stop;
    while (i < end && buf[i] === SP) i++;
  }

  // protocol name: the number's own name, or the kernel's `unknown` (DCCP without a tracker)
  const nameStart = i;
  while (i < end && buf[i] !== SP) i++;
  const nameEnd = i;
  while (i < end && buf[i] === SP) i++;
  const protonum = number(buf, i, end);
  if (protonum < 0 || protonum > 255) return undefined;
  const protocol = FAST_PROTOCOL[protonum];
  if (protocol === undefined || !(spells(buf, nameStart, nameEnd, protocol) || spells(buf, nameStart, nameEnd, 'unknown'))) return undefined;
  i = stop;
  while (i < end && buf[i] === SP) i++;

  // [timeout] [STATE]
  const s = SCAN;
  s.timeout = -1;
  s.state = undefined;
  let c = buf[i]!;
  if (i < end && c >= 48 && c <= 57) {
    const t = number(buf, i, end);
    if (t < 0 || t > U32_MAX) return undefined;
    s.timeout = t;
    i = stop;
    while (i < end && buf[i] === SP) i++;
    c = buf[i]!;
  }
  if (i < end && c >= 65 && c <= 90) {
    let j = i;
    while (j < end && buf[j] !== SP) j++;
    s.state = stateName(buf, i, j, protonum);
    if (s.state === undefined) return undefined;
    i = j;
  }

  const nums = s.nums;
  // a loop: faster a line than nums.fill(-1); SRCKEY … TUPLE_ZONE stay -1 in this scan
  for (let q = 0; q < FAST_NUMS; q++) {
    nums[q] = -1;
    nums[NUMS + q] = -1;
  }
  /** where the current tuple's numbers start in nums */
  let t = 0;
  let tuples = 0;
  /** address slots read (bit per ORIG_SRC … REPLY_DST) */
  let seen = 0;
  let trailer = false;
  let assured = false;
  let unreplied = false;
  let offload = false;
  let hwOffload = false;
  let mark = 0;
  let zone = 0;
  let use = -1;
  let v6 = false;
  let n: number;

  while (i < end) {
    c = buf[i]!;
    if (c === SP) { i++; continue; }
    const c1 = buf[i + 1];
    switch (c) {
      case 115: // src= sport=
        if (c1 === 114 && buf[i + 2] === 99 && buf[i + 3] === EQ) {
          if (tuples === 2 || trailer) return undefined;
          const k = tuples === 0 ? ORIG_SRC : REPLY_SRC;
          if (!address(buf, i + 4, end, k)) return undefined;
          if (tuples === 0) v6 = lastWasV6;
          else if (lastWasV6 !== v6) return undefined;
          t = tuples * NUMS;
          tuples++;
          seen |= 1 << k;
        } else if (c1 === 112 && buf[i + 2] === 111 && buf[i + 3] === 114 && buf[i + 4] === 116 && buf[i + 5] === EQ) {
          if (tuples === 0 || trailer || (n = number(buf, i + 6, end)) < 0 || n > 65535) return undefined;
          nums[t + SPORT] = n;
        } else return undefined;
        break;
      case 100: // dst= dport=
        if (c1 === 115 && buf[i + 2] === 116 && buf[i + 3] === EQ) {
          if (tuples === 0 || trailer) return undefined;
          const k = tuples === 1 ? ORIG_DST : REPLY_DST;
          if (!address(buf, i + 4, end, k) || lastWasV6 !== v6) return undefined;
          seen |= 1 << k;
        } else if (c1 === 112 && buf[i + 2] === 111 && buf[i + 3] === 114 && buf[i + 4] === 116 && buf[i + 5] === EQ) {
          if (tuples === 0 || trailer || (n = number(buf, i + 6, end)) < 0 || n > 65535) return undefined;
          nums[t + DPORT] = n;
        } else return undefined;
        break;
      case 112: // packets=
        if (c1 === 97 && buf[i + 2] === 99 && buf[i + 3] === 107 && buf[i + 4] === 101 && buf[i + 5] === 116 &&
            buf[i + 6] === 115 && buf[i + 7] === EQ) {
          if (tuples === 0 || trailer || (n = number(buf, i + 8, end)) < 0) return undefined;
          nums[t + PACKETS] = n;
        } else return undefined;
        break;
      case 98: // bytes=
        if (c1 === 121 && buf[i + 2] === 116 && buf[i + 3] === 101 && buf[i + 4] === 115 && buf[i + 5] === EQ) {
          if (tuples === 0 || trailer || (n = number(buf, i + 6, end)) < 0) return undefined;
          nums[t + BYTES] = n;
        } else return undefined;
        break;
      case 116: // type=
        if (c1 === 121 && buf[i + 2] === 112 && buf[i + 3] === 101 && buf[i + 4] === EQ) {
          if (tuples === 0 || (n = number(buf, i + 5, end)) < 0 || n > 255) return undefined;
          nums[t + TYPE] = n;
        } else return undefined;
        break;
      case 99: // code=
        if (c1 === 111 && buf[i + 2] === 100 && buf[i + 3] === 101 && buf[i + 4] === EQ) {
          if (tuples === 0 || (n = number(buf, i + 5, end)) < 0 || n > 255) return undefined;
          nums[t + CODE] = n;
        } else return undefined;
        break;
      case 105: // id= inside an icmp tuple (conntrack's entry id goes to the slow path)
        if (c1 === 100 && buf[i + 2] === EQ) {
          if (trailer || tuples === 0 || nums[t + CODE]! < 0 || nums[t + ICMP_ID]! >= 0) return undefined;
          if ((n = number(buf, i + 3, end)) < 0 || n > 65535) return undefined;
          nums[t + ICMP_ID] = n;
        } else return undefined;
        break;
      case 109: // mark=
        if (c1 === 97 && buf[i + 2] === 114 && buf[i + 3] === 107 && buf[i + 4] === EQ) {
          if ((n = number(buf, i + 5, end)) < 0 || n > 0xffffffff) return undefined;
          mark = n;
          trailer = true;
        } else return undefined;
        break;
      case 122: // zone= (zone-orig/zone-reply go to the slow path)
        if (c1 === 111 && buf[i + 2] === 110 && buf[i + 3] === 101 && buf[i + 4] === EQ) {
          if ((n = number(buf, i + 5, end)) < 0 || n > 65535) return undefined;
          zone = n;
          trailer = true;
        } else return undefined;
        break;
      case 117: // use=
        if (c1 === 115 && buf[i + 2] === 101 && buf[i + 3] === EQ) {
          if ((n = number(buf, i + 4, end)) < 0 || n > U32_MAX) return undefined;
          use = n;
          trailer = true;
        } else return undefined;
        break;
      case 91: // [ASSURED] [UNREPLIED] [OFFLOAD] [HW_OFFLOAD]
        if (c1 === 65 && buf[i + 8] === 93 && bracket(buf, i, end, '[ASSURED]')) { assured = true; stop = i + 9; }
        else if (c1 === 85 && bracket(buf, i, end, '[UNREPLIED]')) { unreplied = true; stop = i + 11; }
        else if (c1 === 79 && bracket(buf, i, end, '[OFFLOAD]')) { offload = true; stop = i + 9; }
        else if (c1 === 72 && bracket(buf, i, end, '[HW_OFFLOAD]')) { hwOffload = true; stop = i + 12; }
        else return undefined;
        if (tuples === 2) trailer = true;
        break;
      default:
        return undefined;
    }
    i = stop;
  }

  // the slow path's rules for a whole entry (its closing use=N, both tuples); a line that fails
  // them is left to it
  if (use < 0 || tuples !== 2 || (seen & 0b1010) !== 0b1010) return undefined;
  // needsPorts and isPlaceholderPorts (conn-line.ts), written out: this function is too large for
  // V8 to inline calls into it, and the two calls cost the scan ~5% a line (measured); the
  // fixture tests hold both parsers to the same records
  if (protonum === 6 || protonum === 17 || protonum === 132 || protonum === 136) {
    if (nums[SPORT]! < 0 || nums[DPORT]! < 0 || nums[NUMS + SPORT]! < 0 || nums[NUMS + DPORT]! < 0) return undefined;
  }
  if (family !== undefined && (family === 'ipv6') !== v6) return undefined;
  // conntrack-tools' made-up ports of an untracked DCCP entry
  if (protonum === 33 && s.state === undefined && nums[SPORT] === 0 && nums[DPORT] === 0 &&
      nums[NUMS + SPORT] === 0 && nums[NUMS + DPORT] === 0) {
    nums[SPORT] = -1;
    nums[DPORT] = -1;
    nums[NUMS + SPORT] = -1;
    nums[NUMS + DPORT] = -1;
  }
  s.v6 = v6;
  s.protocol = protocol;
  s.protonum = protonum;
  s.assured = assured;
  s.unreplied = unreplied;
  s.offload = offload;
  s.hwOffload = hwOffload;
  s.mark = mark;
  s.zone = zone;
  s.use = use;
  return s;
}

const opt = (n: number): number | undefined => (n < 0 ? undefined : n);

function tupleOf(s: ConnScan, src: number, dst: number, t: number): Tuple {
  const nums = s.nums;
  return {
    src: scanAddress(s, src), dst: scanAddress(s, dst), sport: opt(nums[t + SPORT]!), dport: opt(nums[t + DPORT]!),
    type: opt(nums[t + TYPE]!), code: opt(nums[t + CODE]!), id: opt(nums[t + ICMP_ID]!), srckey: undefined,
    dstkey: undefined, packets: opt(nums[t + PACKETS]!), bytes: opt(nums[t + BYTES]!), zone: undefined,
  };
}

/**
 * The total over both directions of number `at` (PACKETS or BYTES), as the record's packetsTotal
 * and bytesTotal: -1 unless both directions carried packets= (accounting was on).
 */
export function scanTotal(s: ConnScan, at: number): number {
  const n = s.nums;
  if (n[PACKETS]! < 0 || n[NUMS + PACKETS]! < 0) return -1;
  return Math.max(n[at]!, 0) + Math.max(n[NUMS + at]!, 0);
}

/** Whether scan address slots a and b hold the same address. */
function sameAddress(s: ConnScan, a: number, b: number): boolean {
  if (s.texts[a] !== undefined || s.texts[b] !== undefined) return scanAddress(s, a) === scanAddress(s, b);
  const w = s.words;
  const i = a * 4;
  const j = b * 4;
  return w[i] === w[j] && w[i + 1] === w[j + 1] && w[i + 2] === w[j + 2] && w[i + 3] === w[j + 3];
}

/** The record's `nat`, from the scan (natOf on the tuples, without them). */
export function scanNat(s: ConnScan): NatKind | undefined {
  const n = s.nums;
  return natKind(!sameAddress(s, REPLY_DST, ORIG_SRC) || n[NUMS + DPORT] !== n[SPORT], !sameAddress(s, REPLY_SRC, ORIG_DST) || n[NUMS + SPORT] !== n[DPORT]);
}

const OF_RECORD = new ConnScan();

/** Number slots t + SPORT … t + TUPLE_ZONE of `nums` from a record's tuple (-1 for none). */
function numsOf(nums: Float64Array, t: number, tuple: Tuple): void {
  nums[t + SPORT] = tuple.sport ?? -1;
  nums[t + DPORT] = tuple.dport ?? -1;
  nums[t + TYPE] = tuple.type ?? -1;
  nums[t + CODE] = tuple.code ?? -1;
  nums[t + ICMP_ID] = tuple.id ?? -1;
  nums[t + PACKETS] = tuple.packets ?? -1;
  nums[t + BYTES] = tuple.bytes ?? -1;
  nums[t + SRCKEY] = tuple.srckey ?? -1;
  nums[t + DSTKEY] = tuple.dstkey ?? -1;
  nums[t + TUPLE_ZONE] = tuple.zone ?? -1;
}

/**
 * A record the full parser made, as a scan (addresses as text), so that flows and stats count
 * every entry one way; valid until the next call. connOfScan gives the record back.
 */
export function scanOfConn(c: Conn): ConnScan {
  const s = OF_RECORD;
  s.v6 = c.family === 'ipv6';
  s.protocol = c.protocol;
  s.protonum = c.protonum;
  s.timeout = c.timeout ?? -1;
  s.state = c.state;
  s.assured = c.assured;
  s.unreplied = c.unreplied;
  s.offload = c.offload;
  s.hwOffload = c.hwOffload;
  s.mark = c.mark;
  s.zone = c.zone;
  s.use = c.use ?? -1;
  s.texts[ORIG_SRC] = c.original.src;
  s.texts[ORIG_DST] = c.original.dst;
  s.texts[REPLY_SRC] = c.reply.src;
  s.texts[REPLY_DST] = c.reply.dst;
  numsOf(s.nums, 0, c.original);
  numsOf(s.nums, NUMS, c.reply);
  s.record = c;
  return s;
}

/** The record parseConnLine would make of the scanned line (the full parser's own, for scanOfConn's). */
export function connOfScan(s: ConnScan): Conn {
  if (s.record !== undefined) return s.record;
  const original = tupleOf(s, ORIG_SRC, ORIG_DST, 0);
  const reply = tupleOf(s, REPLY_SRC, REPLY_DST, NUMS);
  return {
    family: s.familyName,
    protocol: s.protocol,
    protonum: s.protonum,
    timeout: opt(s.timeout),
    state: s.state,
    original,
    reply,
    assured: s.assured,
    unreplied: s.unreplied,
    offload: s.offload,
    hwOffload: s.hwOffload,
    mark: s.mark,
    secctx: undefined,
    zone: s.zone,
    use: opt(s.use),
    id: undefined,
    labels: undefined,
    helper: undefined,
    deltaTime: undefined,
    start: undefined,
    stop: undefined,
    extra: undefined,
    packetsTotal: opt(scanTotal(s, PACKETS)),
    bytesTotal: opt(scanTotal(s, BYTES)),
    nat: scanNat(s),
    exactCounters: undefined,
  };
}

/**
 * The record of the line in `buf[start, end)` (no newline), or undefined when the line is not of
 * the common shape — then parseConnLine must read it (it may still be a valid entry).
 */
export function parseConnBytes(buf: Buffer, start: number, end: number): Conn | undefined {
  const s = scanConnBytes(buf, start, end);
  return s === undefined ? undefined : connOfScan(s);
}
