// One reading's counters per connection, in compact form: what `top` keeps of a reading for the
// next one's rates (rates.ts: a rate is computed per connection, then summed per row).
//
// A connection is identified as connKey (rates.ts) identifies it — zone, protocol and the original
// tuple — but as 12 int32 words (the addresses' values, not their text), so a line the fast
// scanner read is keyed without making its record or any string, and a record of the slow parser
// gets the same words from its canonical text. Entries live in typed arrays (key words, the four
// counters, the row the connection was shown in) found through an open-addressing table: ~100
// bytes a connection instead of a key string, a Map entry and a counters object.
//
// Longer than 250 lines: the key words (from a scan and from a record), their hash and the table
// that compares them are one layout.

import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { BYTES, CODE, DPORT, DSTKEY, ICMP_ID, NUMS, ORIG_DST, ORIG_SRC, PACKETS, SPORT, SRCKEY, TYPE, type ConnScan } from '../parse/conn-bytes.js';
import type { Counters } from './rates.js';

/**
 * Words per key: a header, the original source and destination (4 each), and the tuple's seven
 * numbers packed in three words (both parsers take ports, ICMP ids and GRE keys up to 65535 and
 * ICMP types and codes up to 255 only): sport | dport << 16, type | code << 8 | id << 16,
 * srckey | dstkey << 16.
 */
const W = 12;
/** the header word: protonum | v6 << 8 | present << 9 | zone << 16 */
const H = 0;
const SRC = 1;
const DST = 5;
/** bit i of `present` says whether number i (sport, dport, type, code, id, srckey, dstkey) is set */
const PORTS = 9;
const ICMP = 10;
const GRE = 11;
/** counters per entry: orig packets, orig bytes, reply packets, reply bytes */
const C = 4;

/** Where a key is built before it is looked up (one connection at a time). */
const key = new Int32Array(W);

/** Address text as four words (IPv4 in the last), as the scanner holds it; false when unreadable. */
function textWords(text: string, at: number): boolean {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) {
    key[at] = 0;
    key[at + 1] = 0;
    key[at + 2] = 0;
    key[at + 3] = v4 | 0;
    return true;
  }
  const g = parseIPv6(text);
  if (g === undefined) return false;
  for (let i = 0; i < 4; i++) key[at + i] = (g[2 * i]! << 16) | g[2 * i + 1]!;
  return true;
}

/** Text no address parser reads (a record can hold any): a hash of it, in words no address has. */
function oddWords(text: string, at: number): void {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  key[at] = -1;
  key[at + 1] = -1;
  key[at + 2] = text.length;
  key[at + 3] = h;
}

function header(protonum: number, v6: boolean, present: number, zone: number): number {
  return protonum | (v6 ? 256 : 0) | (present << 9) | (zone << 16);
}

/** The packed words of seven tuple numbers (-1: none); returns the `present` bits. */
function packNumbers(sport: number, dport: number, type: number, code: number, id: number, srckey: number, dstkey: number): number {
  key[PORTS] = (sport & 0xffff) | (dport << 16);
  key[ICMP] = (type & 0xff) | ((code & 0xff) << 8) | (id << 16);
  key[GRE] = (srckey & 0xffff) | (dstkey << 16);
  return (sport >= 0 ? 1 : 0) | (dport >= 0 ? 2 : 0) | (type >= 0 ? 4 : 0) | (code >= 0 ? 8 : 0) | (id >= 0 ? 16 : 0) |
    (srckey >= 0 ? 32 : 0) | (dstkey >= 0 ? 64 : 0);
}

/** Scan address slot `slot` into the key at `at`: its words, or its text's (another spelling than /proc's). */
function scanWords(s: ConnScan, slot: number, at: number): void {
  const text = s.texts[slot];
  if (text !== undefined) {
    if (!textWords(text, at)) oddWords(text, at);
    return;
  }
  const w = s.words;
  const b = slot * 4;
  key[at] = w[b]!;
  key[at + 1] = w[b + 1]!;
  key[at + 2] = w[b + 2]!;
  key[at + 3] = w[b + 3]!;
}

/**
 * The key of a connection (connKey's identity), from its scan: a scanned line's, or a record's
 * (scanOfConn: addresses as text, GRE keys in their slots, which the fast scanner leaves at -1).
 */
function keyOfScan(s: ConnScan): void {
  scanWords(s, ORIG_SRC, SRC);
  scanWords(s, ORIG_DST, DST);
  const n = s.nums;
  key[H] = header(s.protonum, s.v6, packNumbers(n[SPORT]!, n[DPORT]!, n[TYPE]!, n[CODE]!, n[ICMP_ID]!, n[SRCKEY]!, n[DSTKEY]!), s.zone);
}

function hashKey(k: Int32Array, at: number): number {
  // the words that differ between connections: an IPv4 address is its last word, the IPv6 upper
  // words are folded into one; the ports, ICMP type/code/id (GRE keys are rare)
  let h = Math.imul(k[at]! ^ 0x2545f491, 0x9e3779b1);
  h = Math.imul(h ^ k[at + SRC + 3]!, 0x85ebca6b);
  h = Math.imul(h ^ k[at + DST + 3]!, 0xc2b2ae35);
  h = Math.imul(h ^ k[at + PORTS]!, 0x27d4eb2f);
  h = Math.imul(h ^ k[at + ICMP]!, 0x165667b1);
  if ((k[at]! & 256) !== 0 || k[at + GRE] !== 0) {
    const upper = k[at + SRC]! ^ Math.imul(k[at + SRC + 1]!, 31) ^ Math.imul(k[at + SRC + 2]!, 961) ^
      Math.imul(k[at + DST]!, 29791) ^ Math.imul(k[at + DST + 1]!, 923521) ^ Math.imul(k[at + DST + 2]!, 28629151);
    h = Math.imul(h ^ upper ^ k[at + GRE]!, 0x85ebca6b);
  }
  // (the low bits pick the slot: fold the high ones in)
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

export class ConnCounters {
  /** connections held (each with counters) */
  size = 0;
  private keys: Int32Array;
  private counts: Float64Array;
  private rows: Int32Array;
  /** each entry's hash, so growing does not hash every key again */
  private hashes: Int32Array;
  /** entry per slot, -1 when empty; at most half full */
  private slots: Int32Array;
  /** the hash of the key find() missed, and the empty slot it stopped at (insert() fills it) */
  private missHash = 0;
  private missSlot = 0;

  /** `expected`: connections to make room for at once (the previous reading's count: a little more) */
  constructor(expected = 0) {
    const n = Math.max(1024, Math.ceil(expected * 1.05));
    this.keys = new Int32Array(n * W);
    this.counts = new Float64Array(n * C);
    this.rows = new Int32Array(n);
    this.hashes = new Int32Array(n);
    let slots = 2048;
    while (slots < 2 * n) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
  }

  /** Forgets every connection, keeping the room (a reading two readings old makes the next one). */
  clear(): void {
    this.size = 0;
    this.slots.fill(-1);
  }

  /**
   * A record's counters (countersOf), with the row it is shown in (-1: not shown; a later
   * sighting of the same connection keeps the row of an earlier shown one). Returns the entry.
   */
  /**
   * A connection's counters, from its scan (a record's: scanOfConn); every packet count ≥ 0: the
   * caller checked that accounting was on.
   */
  putScan(s: ConnScan, row: number): number {
    keyOfScan(s);
    const n = s.nums;
    return this.put(n[PACKETS]!, Math.max(n[BYTES]!, 0), n[NUMS + PACKETS]!, Math.max(n[NUMS + BYTES]!, 0), row);
  }

  /** The entry of the key just built, made on first sight; the counters are the last ones seen. */
  private put(op: number, ob: number, rp: number, rb: number, row: number): number {
    let e = this.find(key, 0);
    if (e < 0) {
      e = this.insert();
      this.rows[e] = row;
    } else if (row >= 0) this.rows[e] = row;
    const c = e * C;
    const counts = this.counts;
    counts[c] = op;
    counts[c + 1] = ob;
    counts[c + 2] = rp;
    counts[c + 3] = rb;
    return e;
  }

  /** The entry holding the key `k[at, at + W)`, or -1 (then insert() may follow at once). */
  private find(k: Int32Array, at: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const keys = this.keys;
    const h = hashKey(k, at);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = slots[i]!;
      if (e < 0) {
        this.missHash = h;
        this.missSlot = i;
        return -1;
      }
      if (this.hashes[e] !== h) continue;
      let j = 0;
      const b = e * W;
      while (j < W && keys[b + j] === k[at + j]) j++;
      if (j === W) return e;
    }
  }

  /** A new entry for the key the last find() missed. */
  private insert(): number {
    const e = this.size;
    if (e === this.rows.length) this.enlarge();
    const keys = this.keys;
    const b = e * W;
    for (let j = 0; j < W; j++) keys[b + j] = key[j]!;
    this.hashes[e] = this.missHash;
    this.slots[this.missSlot] = e;
    this.size = e + 1;
    if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return e;
  }

  /** Room for twice the entries (the slots follow in insert()). */
  private enlarge(): void {
    const n = this.rows.length * 2;
    const keys = new Int32Array(n * W);
    keys.set(this.keys);
    this.keys = keys;
    const counts = new Float64Array(n * C);
    counts.set(this.counts);
    this.counts = counts;
    const rows = new Int32Array(n);
    rows.set(this.rows);
    this.rows = rows;
    const hashes = new Int32Array(n);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  /** The entries placed again in `n` slots. */
  private rehash(n: number): void {
    const slots = new Int32Array(n).fill(-1);
    const mask = n - 1;
    for (let e = 0; e < this.size; e++) {
      let i = this.hashes[e]! & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = e;
    }
    this.slots = slots;
  }

  /** The row entry e was shown in, or -1. */
  rowOf(e: number): number {
    return this.rows[e]!;
  }

  /** Entry e's counters, written into `into` (no object a connection); returns it. */
  countersInto(e: number, into: Counters): Counters {
    const c = e * C;
    const n = this.counts;
    into.origPackets = n[c]!;
    into.origBytes = n[c + 1]!;
    into.replyPackets = n[c + 2]!;
    into.replyBytes = n[c + 3]!;
    return into;
  }

  /** The entry here of `other`'s entry e (the same connection in another reading), or -1. */
  entryOf(other: ConnCounters, e: number): number {
    return this.find(other.keys, e * W);
  }
}
