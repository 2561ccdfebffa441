// A line the fast path read, kept as its scan packed into bytes instead of as its text: a sorted
// list keeps every record until it is written (aggregate/conn-store.ts), and reading a record
// back from ~55 packed bytes costs a fraction of parsing its ~230-byte line again, in a third of
// the memory. Only what scanConnBytes fills is packed (a scan of the full parser's record, or
// with an address's text, is kept as its line), and unpacking gives the same scan back, field
// for field (test/parse/packed-scan.test.ts holds every fixture line to it).
//
// A packed row starts with PACKED_ROW, a byte no kept line starts with (a line kept is an
// entry, which starts with a letter or a space); every byte after it is 0x40 or more, so a
// packed row holds no newline, and rows ended by newlines split as lines do. A number is written
// in base 64, lowest digit first: a digit that more follow is 0x80 + digit, the last 0x40 + digit.

import { PROTOCOL_BY_NUMBER, PROTOCOL_STATES } from '../model.js';
import { ConnScan, NUMS } from './conn-bytes.js';

/** The first byte of a packed row. */
export const PACKED_ROW = 1;
/** A packed row is never longer than this. */
export const PACKED_MAX = 256;
/** numbers per tuple the fast path reads (SPORT … BYTES) */
const FAST_NUMS = 7;

/** protocol names and their states, by number */
const PROTOCOLS = Array.from({ length: 256 }, (_, n) => PROTOCOL_BY_NUMBER.get(n) ?? '');
const STATES = PROTOCOLS.map((name) => PROTOCOL_STATES[name] ?? []);

const ASSURED = 1;
const UNREPLIED = 2;
const OFFLOAD = 4;
const HW_OFFLOAD = 8;
const V6 = 16;

/**
 * Packs scan `s` into `buf` at `pos` (at least PACKED_MAX bytes free); returns where it ends, or
 * -1 when the scan must be kept as its line (not the fast path's, an address's text given, or a
 * state its protocol does not have).
 */
export function packScan(s: ConnScan, buf: Buffer, pos: number): number {
  if (s.record !== undefined) return -1;
  const texts = s.texts;
  if (texts[0] !== undefined || texts[1] !== undefined || texts[2] !== undefined || texts[3] !== undefined) return -1;
  // (the fast path reads only its protocol's states: a state it could not have stays a line)
  const state = s.state === undefined ? 0 : STATES[s.protonum]!.indexOf(s.state) + 1;
  if (state === 0 && s.state !== undefined) return -1;
  buf[pos++] = PACKED_ROW;
  const flags = (s.assured ? ASSURED : 0) | (s.unreplied ? UNREPLIED : 0) | (s.offload ? OFFLOAD : 0) | (s.hwOffload ? HW_OFFLOAD : 0) | (s.v6 ? V6 : 0);
  pos = put(buf, pos, s.protonum);
  pos = put(buf, pos, flags);
  pos = put(buf, pos, state);
  pos = put(buf, pos, s.timeout + 1);
  pos = put(buf, pos, s.mark);
  pos = put(buf, pos, s.zone);
  pos = put(buf, pos, s.use + 1);
  const w = s.words;
  if (s.v6) for (let i = 0; i < 16; i++) pos = put(buf, pos, w[i]! >>> 0);
  else for (let i = 3; i < 16; i += 4) pos = put(buf, pos, w[i]! >>> 0);
  const n = s.nums;
  for (let q = 0; q < FAST_NUMS; q++) {
    pos = put(buf, pos, n[q]! + 1);
    pos = put(buf, pos, n[NUMS + q]! + 1);
  }
  return pos;
}

const UNPACKED = new ConnScan();

/**
 * The scan packed at `pos` (its PACKED_ROW byte) by packScan, read into one ConnScan that the
 * next call overwrites.
 */
export function unpackScan(buf: Uint8Array, pos: number): ConnScan {
  const s = UNPACKED;
  at = pos + 1;
  const protonum = take(buf);
  const flags = take(buf);
  const state = take(buf);
  s.protonum = protonum;
  s.protocol = PROTOCOLS[protonum]!;
  s.state = state === 0 ? undefined : STATES[protonum]![state - 1];
  s.assured = (flags & ASSURED) !== 0;
  s.unreplied = (flags & UNREPLIED) !== 0;
  s.offload = (flags & OFFLOAD) !== 0;
  s.hwOffload = (flags & HW_OFFLOAD) !== 0;
  s.v6 = (flags & V6) !== 0;
  s.timeout = take(buf) - 1;
  s.mark = take(buf);
  s.zone = take(buf);
  s.use = take(buf) - 1;
  const w = s.words;
  if (s.v6) {
    for (let i = 0; i < 16; i++) w[i] = take(buf);
  } else {
    for (let i = 0; i < 16; i += 4) {
      w[i] = 0;
      w[i + 1] = 0;
      w[i + 2] = 0;
      w[i + 3] = take(buf);
    }
  }
  const n = s.nums;
  for (let q = 0; q < FAST_NUMS; q++) {
    n[q] = take(buf) - 1;
    n[NUMS + q] = take(buf) - 1;
  }
  return s;
}

/** `v` (0 ≤ v < 2^53) in base 64 at `pos`; returns where it ends. */
function put(buf: Buffer, pos: number, v: number): number {
  // (most numbers are below 2^31: digits by shifts)
  if (v < 0x80000000) {
    while (v >= 64) {
      buf[pos++] = 0x80 | (v & 63);
      v >>>= 6;
    }
    buf[pos] = 0x40 | v;
    return pos + 1;
  }
  while (v >= 64) {
    const high = Math.floor(v / 64);
    buf[pos++] = 0x80 | (v - high * 64);
    v = high;
  }
  buf[pos] = 0x40 | v;
  return pos + 1;
}

/** where `take` reads next */
let at = 0;

/** The number at `at` (put's), moving `at` past it. */
function take(buf: Uint8Array): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const b = buf[at++]!;
    v += (b & 63) * scale;
    if (b < 0x80) return v;
    scale *= 64;
  }
}
