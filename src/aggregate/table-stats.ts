// One streaming pass over the table → the figures behind `ctflow stats`: how many entries, of which
// family, protocol and state, with which status flags, NAT, zones and marks, and who the top
// talkers are. Memory grows with the number of distinct addresses (for top talkers) and distinct
// protocol/state/zone/mark values, never with the number of lines read.
//
// Top talkers use the original tuple: its source is the initiator, its destination the address
// the initiator asked for (before any DNAT), which is what an operator sees in their own logs.
//
// With a filter (`stats -p tcp …`) an entry it drops still counts in `count` and `replied`, the
// whole-table figures the fill levels need; every breakdown and talker counts matched entries.
//
// Every entry is counted from its scan (parse/conn-bytes.ts ConnScan; scanOfConn makes one of a
// record), by one function, add.
//
// Longer than 250 lines: every breakdown is summed from the same per-kind counters, and a worker's
// part must carry all of them.

import { BYTES, NUMS, ORIG_DST, ORIG_SRC, PACKETS, scanNat, scanTotal, TUPLE_ZONE, type ConnScan } from '../parse/conn-bytes.js';
import { AddressNumbers } from './address-numbers.js';

export interface Talker {
  address: string;
  connections: number;
  bytes: number;
}

export interface TopTalkers {
  sourcesByConnections: Talker[];
  destinationsByConnections: Talker[];
  sourcesByBytes: Talker[];
  destinationsByBytes: Talker[];
}

export interface TableStats {
  /** entries read, matched or not */
  count: number;
  /** entries read that have seen a reply (not [UNREPLIED]); the ones that are not a flood */
  replied: number;
  /**
   * entries that passed the filter (`stats -p tcp …`; all of them without one): every figure
   * below counts only these
   */
  matched: number;
  families: Record<string, number>;
  protocols: Record<string, number>;
  /** protocol → state → entries, for protocols with states (tcp, sctp, dccp) */
  states: Record<string, Record<string, number>>;
  /** "family/protocol/state" ("-" for no state) → entries: the full breakdown behind the others */
  breakdown: Record<string, number>;
  status: { assured: number; unreplied: number; offload: number; hwOffload: number };
  nat: { snat: number; dnat: number; both: number; none: number };
  /** zone → entries; non-zero zones only; a directional zone (zone-orig/zone-reply) counts too */
  zones: Record<string, number>;
  /** mark (decimal) → entries; non-zero marks only */
  marks: Record<string, number>;
  /** sums over entries with accounting; undefined when no entry carried counters */
  packets: number | undefined;
  bytes: number | undefined;
  top: TopTalkers;
}

/** Sorted object: by count descending, then key, so output is stable. */
function byCount(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) out[k] = v;
  return out;
}

/** Numeric keys (zones, marks) in numeric order. */
function byNumber(map: Map<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...map].sort((a, b) => a[0] - b[0])) out[String(k)] = v;
  return out;
}

const add1 = <K>(map: Map<K, number>, key: K, n: number): void => {
  map.set(key, (map.get(key) ?? 0) + n);
};

/**
 * Connections and bytes per address, in typed arrays indexed by a number given to each address
 * on first sight (no object per address).
 */
class Talkers {
  /** address numbers (by value, or by text where the scan has it) */
  private readonly numbers = new AddressNumbers((i) => this.room(i));
  connections = new Float64Array(1024);
  bytes = new Float64Array(1024);

  /**
   * One connection of scan address slot k, found by its value: no address text per line (the
   * text is made once per address), no string hashing
   */
  add(s: ConnScan, k: number, bytes: number): void {
    const i = this.numbers.ofScan(s, k);
    this.connections[i]!++;
    this.bytes[i]! += bytes;
  }

  /** Room in the counters for address number i. */
  private room(i: number): void {
    if (i < this.connections.length) return;
    const c = new Float64Array(i * 2);
    c.set(this.connections);
    this.connections = c;
    const b = new Float64Array(i * 2);
    b.set(this.bytes);
    this.bytes = b;
  }

  part(): TalkersPart {
    const n = this.numbers.addresses.length;
    return { addresses: this.numbers.addresses.slice(), connections: this.connections.slice(0, n), bytes: this.bytes.slice(0, n) };
  }

  absorb(p: TalkersPart): void {
    for (let i = 0; i < p.addresses.length; i++) {
      const into = this.numbers.of(p.addresses[i]!);
      this.connections[into]! += p.connections[i]!;
      this.bytes[into]! += p.bytes[i]!;
    }
  }

  top(n: number, key: 'connections' | 'bytes'): Talker[] {
    const primary = this[key];
    const other = key === 'connections' ? this.bytes : this.connections;
    const addresses = this.numbers.addresses;
    const picked: number[] = [];
    for (let i = 0; i < addresses.length; i++) if (primary[i]! > 0) picked.push(i);
    picked.sort((a, b) => primary[b]! - primary[a]! || other[b]! - other[a]! || (addresses[a]! < addresses[b]! ? -1 : 1));
    return picked.slice(0, n).map((i) => ({ address: addresses[i]!, connections: this.connections[i]!, bytes: this.bytes[i]! }));
  }
}

interface TalkersPart {
  addresses: string[];
  connections: Float64Array;
  bytes: Float64Array;
}

/** One (family, protocol, state) combination: the counters every breakdown is summed from. */
interface Kind {
  family: string;
  protocol: string;
  protonum: number;
  state: string | undefined;
  count: number;
}

/**
 * What a part of the table adds up to, as plain data (a scan worker's answer, structured-cloned):
 * `absorb` adds it into another collector exactly as if that one had read the part itself.
 */
export interface TableStatsPart {
  count: number;
  replied: number;
  matched: number;
  packets: number;
  bytes: number;
  accounted: number;
  status: TableStats['status'];
  nat: TableStats['nat'];
  kinds: Kind[];
  zones: Array<[number, number]>;
  marks: Array<[number, number]>;
  sources: TalkersPart;
  destinations: TalkersPart;
}

export interface TableStatsCollector {
  /** an entry that counts everywhere (read it before the scan is overwritten) */
  add(s: ConnScan): void;
  /** an entry the filter dropped: it counts only towards `count` and `replied` (whole-table figures) */
  skip(unreplied: boolean): void;
  finish(top?: number): TableStats;
  /** the figures so far as plain data (for a worker's answer) */
  part(): TableStatsPart;
  /** adds another collector's part of the same table */
  absorb(p: TableStatsPart): void;
}

export const DEFAULT_TOP = 10;

export function createTableStats(): TableStatsCollector {
  let count = 0;
  let replied = 0;
  let matched = 0;
  let packets = 0;
  let bytes = 0;
  let accounted = 0;
  // (protocol number, family) → state ('-' for none) → its Kind; families, protocols, states and
  // the breakdown are all sums over kinds, so a connection counts into one place. Neighbouring
  // lines often share a kind: the last one is checked first (the parser interns these strings,
  // so the comparisons are by pointer); another kind costs one array slot and one Map lookup
  const kindIndex: Array<Map<string, Kind> | undefined> = [];
  const kinds: Kind[] = [];
  let last: Kind = { family: '', protocol: '', protonum: -1, state: '', count: 0 };
  const status = { assured: 0, unreplied: 0, offload: 0, hwOffload: 0 };
  const nat = { snat: 0, dnat: 0, both: 0, none: 0 };
  const zones = new Map<number, number>();
  const marks = new Map<number, number>();
  const sources = new Talkers();
  const destinations = new Talkers();

  function kindOf(family: string, protocol: string, protonum: number, state: string | undefined): Kind {
    const at = protonum * 2 + (family === 'ipv6' ? 1 : 0);
    let byState = kindIndex[at];
    if (byState === undefined) kindIndex[at] = byState = new Map();
    // a protocol number has one name within a table; a second name gets keys of its own
    let key = state ?? '-';
    let k = byState.get(key);
    if (k !== undefined && k.protocol !== protocol) k = byState.get((key = `${protocol} ${key}`));
    if (k === undefined) {
      k = { family, protocol, protonum, state, count: 0 };
      byState.set(key, k);
      kinds.push(k);
    }
    return k;
  }

  return {
    add(s: ConnScan): void {
      count++;
      matched++;
      let k = last;
      if (s.state !== k.state || s.protocol !== k.protocol || s.familyName !== k.family) {
        last = k = kindOf(s.familyName, s.protocol, s.protonum, s.state);
      }
      k.count++;
      if (s.assured) status.assured++;
      if (s.unreplied) status.unreplied++;
      else replied++;
      if (s.offload) status.offload++;
      if (s.hwOffload) status.hwOffload++;
      const n = scanNat(s);
      if (n === undefined) nat.none++;
      else nat[n]++;
      // an entry counts once per distinct non-zero zone among its own and its directional ones
      // (-1: none)
      const z = s.zone;
      const zo = s.nums[TUPLE_ZONE]!;
      const zr = s.nums[NUMS + TUPLE_ZONE]!;
      if (z !== 0) add1(zones, z, 1);
      if (zo > 0 && zo !== z) add1(zones, zo, 1);
      if (zr > 0 && zr !== z && zr !== zo) add1(zones, zr, 1);
      if (s.mark !== 0) add1(marks, s.mark, 1);
      const total = scanTotal(s, BYTES);
      if (total >= 0) {
        accounted++;
        bytes += total;
        packets += scanTotal(s, PACKETS);
      }
      sources.add(s, ORIG_SRC, Math.max(total, 0));
      destinations.add(s, ORIG_DST, Math.max(total, 0));
    },

    skip(unreplied: boolean): void {
      count++;
      if (!unreplied) replied++;
    },

    part(): TableStatsPart {
      return {
        count, replied, matched, packets, bytes, accounted, status: { ...status }, nat: { ...nat },
        kinds: kinds.map((k) => ({ ...k })), zones: [...zones], marks: [...marks],
        sources: sources.part(), destinations: destinations.part(),
      };
    },

    absorb(p: TableStatsPart): void {
      count += p.count;
      replied += p.replied;
      matched += p.matched;
      packets += p.packets;
      bytes += p.bytes;
      accounted += p.accounted;
      for (const key of Object.keys(status) as Array<keyof typeof status>) status[key] += p.status[key];
      for (const key of Object.keys(nat) as Array<keyof typeof nat>) nat[key] += p.nat[key];
      for (const k of p.kinds) kindOf(k.family, k.protocol, k.protonum, k.state).count += k.count;
      for (const [z, n] of p.zones) add1(zones, z, n);
      for (const [m, n] of p.marks) add1(marks, m, n);
      sources.absorb(p.sources);
      destinations.absorb(p.destinations);
    },

    finish(top: number = DEFAULT_TOP): TableStats {
      const families = new Map<string, number>();
      const protocols = new Map<string, number>();
      const states = new Map<string, Map<string, number>>();
      const breakdown = new Map<string, number>();
      for (const k of kinds) {
        if (k.count === 0) continue;
        add1(families, k.family, k.count);
        add1(protocols, k.protocol, k.count);
        if (k.state !== undefined) {
          let perState = states.get(k.protocol);
          if (perState === undefined) states.set(k.protocol, (perState = new Map()));
          add1(perState, k.state, k.count);
        }
        breakdown.set(`${k.family}/${k.protocol}/${k.state ?? '-'}`, k.count);
      }
      const stateObj: Record<string, Record<string, number>> = {};
      for (const [proto, perState] of [...states].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        stateObj[proto] = byCount(perState);
      }
      return {
        count,
        replied,
        matched,
        families: byCount(families),
        protocols: byCount(protocols),
        states: stateObj,
        breakdown: byCount(breakdown),
        status: { ...status },
        nat: { ...nat },
        zones: byNumber(zones),
        marks: byNumber(marks),
        packets: accounted > 0 ? packets : undefined,
        bytes: accounted > 0 ? bytes : undefined,
        top: {
          sourcesByConnections: sources.top(top, 'connections'),
          destinationsByConnections: destinations.top(top, 'connections'),
          sourcesByBytes: sources.top(top, 'bytes'),
          destinationsByBytes: destinations.top(top, 'bytes'),
        },
      };
    },
  };
}
