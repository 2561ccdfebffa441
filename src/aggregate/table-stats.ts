// One streaming pass over the table → the figures behind `ctflow stats`: how many entries, of which
// family, protocol and state, with which status flags, NAT, zones and marks, and who the top
// talkers are. Memory grows with the number of distinct addresses (for top talkers) and distinct
// protocol/state/zone/mark values, never with the number of lines read.
//
// Top talkers use the original tuple: its source is the initiator, its destination the address
// the initiator asked for (before any DNAT), which is what an operator sees in their own logs.

import type { Conn } from '../model.js';

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
  count: number;
  /** entries that have seen a reply (not [UNREPLIED]); the ones that are not a flood */
  replied: number;
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

interface Tally {
  connections: number;
  bytes: number;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function tally(map: Map<string, Tally>, address: string, bytes: number): void {
  const t = map.get(address);
  if (t === undefined) map.set(address, { connections: 1, bytes });
  else {
    t.connections++;
    t.bytes += bytes;
  }
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

function topOf(map: Map<string, Tally>, n: number, key: 'connections' | 'bytes'): Talker[] {
  const other = key === 'connections' ? 'bytes' : 'connections';
  return [...map]
    .map(([address, t]) => ({ address, connections: t.connections, bytes: t.bytes }))
    .filter((t) => t[key] > 0)
    .sort((a, b) => b[key] - a[key] || b[other] - a[other] || (a.address < b.address ? -1 : 1))
    .slice(0, n);
}

function flatBreakdown(nested: Map<string, Map<string, Map<string, number>>>): Map<string, number> {
  const flat = new Map<string, number>();
  for (const [family, byProto] of nested) {
    for (const [protocol, byState] of byProto) {
      for (const [state, n] of byState) flat.set(`${family}/${protocol}/${state}`, n);
    }
  }
  return flat;
}

export interface TableStatsCollector {
  add(c: Conn): void;
  finish(top?: number): TableStats;
}

export const DEFAULT_TOP = 10;

export function createTableStats(): TableStatsCollector {
  let count = 0;
  let replied = 0;
  let packets = 0;
  let bytes = 0;
  let accounted = 0;
  const families = new Map<string, number>();
  const protocols = new Map<string, number>();
  const states = new Map<string, Map<string, number>>();
  // family → protocol → state ('-' for none): nested maps, so the hot path builds no key strings
  const breakdown = new Map<string, Map<string, Map<string, number>>>();
  const status = { assured: 0, unreplied: 0, offload: 0, hwOffload: 0 };
  const nat = { snat: 0, dnat: 0, both: 0, none: 0 };
  const zones = new Map<number, number>();
  const marks = new Map<number, number>();
  const sources = new Map<string, Tally>();
  const destinations = new Map<string, Tally>();

  function countZone(zone: number): void {
    zones.set(zone, (zones.get(zone) ?? 0) + 1);
  }

  function countBreakdown(c: Conn): void {
    let byProto = breakdown.get(c.family);
    if (byProto === undefined) {
      byProto = new Map();
      breakdown.set(c.family, byProto);
    }
    let byState = byProto.get(c.protocol);
    if (byState === undefined) {
      byState = new Map();
      byProto.set(c.protocol, byState);
    }
    bump(byState, c.state ?? '-');
  }

  return {
    add(c: Conn): void {
      count++;
      bump(families, c.family);
      bump(protocols, c.protocol);
      if (c.state !== undefined) {
        let perState = states.get(c.protocol);
        if (perState === undefined) {
          perState = new Map();
          states.set(c.protocol, perState);
        }
        bump(perState, c.state);
      }
      countBreakdown(c);
      if (c.assured) status.assured++;
      if (c.unreplied) status.unreplied++;
      else replied++;
      if (c.offload) status.offload++;
      if (c.hwOffload) status.hwOffload++;
      nat[c.nat ?? 'none']++;
      // an entry counts once per distinct non-zero zone among its own and its directional ones
      const z = c.zone;
      const zo = c.original.zone;
      const zr = c.reply.zone;
      if (z !== 0) countZone(z);
      if (zo !== undefined && zo !== 0 && zo !== z) countZone(zo);
      if (zr !== undefined && zr !== 0 && zr !== z && zr !== zo) countZone(zr);
      if (c.mark !== 0) marks.set(c.mark, (marks.get(c.mark) ?? 0) + 1);
      const b = c.bytesTotal ?? 0;
      if (c.bytesTotal !== undefined) {
        accounted++;
        bytes += c.bytesTotal;
        packets += c.packetsTotal ?? 0;
      }
      tally(sources, c.original.src, b);
      tally(destinations, c.original.dst, b);
    },

    finish(top: number = DEFAULT_TOP): TableStats {
      const stateObj: Record<string, Record<string, number>> = {};
      for (const [proto, perState] of [...states].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        stateObj[proto] = byCount(perState);
      }
      return {
        count,
        replied,
        families: byCount(families),
        protocols: byCount(protocols),
        states: stateObj,
        breakdown: byCount(flatBreakdown(breakdown)),
        status: { ...status },
        nat: { ...nat },
        zones: byNumber(zones),
        marks: byNumber(marks),
        packets: accounted > 0 ? packets : undefined,
        bytes: accounted > 0 ? bytes : undefined,
        top: {
          sourcesByConnections: topOf(sources, top, 'connections'),
          destinationsByConnections: topOf(destinations, top, 'connections'),
          sourcesByBytes: topOf(sources, top, 'bytes'),
          destinationsByBytes: topOf(destinations, top, 'bytes'),
        },
      };
    },
  };
}
