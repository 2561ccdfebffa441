// A filter conntrack cannot take as one argv, said as a few conntrack filters whose union is
// exactly the matched set, so a delete/update walks the table once per filter, not once per entry
// (conntrack v1.4.7 dumps the whole table for every -D/-U, a -R line included: measured 0.16 s a
// line on 20,000 entries).
//
// Each filter is a narrowing of ctflow's own (`--port P` → orig sport, orig dport, reply sport or
// reply dport P; several states → one each; ports or a state without -p → one per protocol the
// matches hold), so on any table it selects only entries ctflow's filter selects; together they
// select them all. The fewest that cover the matches are chosen (greedy, from a handful). An entry
// two filters select is deleted by the first; the second run simply does not find it.

import { isPlainAddress } from '../filter/address-match.js';
import { compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { compactFilter, conntrackFilterFor } from './conntrack-filter.js';
import type { ConntrackFilter } from './conntrack-invocation.js';

/** One conntrack filter of a cover and the matched entries it selects. */
export interface CoverPart {
  filter: ConntrackFilter;
  entries: Conn[];
}

const PORT_KEYS = ['sport', 'dport', 'replyPortSrc', 'replyPortDst'] as const;

/** `--port P` as its four directional port filters (one already set to another port: none). */
function splitPort(f: FilterOptions): FilterOptions[] {
  const p = f.port;
  if (p === undefined) return [f];
  return PORT_KEYS.filter((k) => f[k] === undefined || f[k] === p).map((k) => ({ ...f, port: undefined, [k]: p }));
}

/** conntrack --state takes one state. */
function splitState(f: FilterOptions): FilterOptions[] {
  if (f.state === undefined || f.state.length <= 1) return [f];
  return f.state.map((s) => ({ ...f, state: [s] }));
}

/** conntrack reads ports and states through a protocol's extension: they need -p. */
function splitProto(f: FilterOptions, protocols: readonly number[]): FilterOptions[] {
  const needsProto = f.state !== undefined || PORT_KEYS.some((k) => f[k] !== undefined);
  if (f.proto !== undefined || !needsProto) return [f];
  return protocols.map((proto) => ({ ...f, proto }));
}

/**
 * The fewest conntrack filters (from the narrowings above) whose union selects exactly `matched`
 * (the entries `f` matched), or undefined when some narrowing is still nothing conntrack can say.
 */
export function coverOf(f: FilterOptions, matched: readonly Conn[]): CoverPart[] | undefined {
  const protocols = [...new Set(matched.map((c) => c.protonum))].sort((a, b) => a - b);
  const narrowings = splitPort(f).flatMap(splitState).flatMap((v) => splitProto(v, protocols));
  const candidates: Array<{ filter: ConntrackFilter; selects: boolean[] }> = [];
  for (const v of narrowings) {
    const filter = conntrackFilterFor(v);
    if (filter === undefined) return undefined;
    const test = compileFilter(v);
    candidates.push({ filter: compactFilter(filter), selects: matched.map(test) });
  }
  const covered = new Array<boolean>(matched.length).fill(false);
  let left = matched.length;
  const parts: CoverPart[] = [];
  while (left > 0) {
    let best = -1;
    let bestGain = 0;
    candidates.forEach((c, i) => {
      let gain = 0;
      for (let j = 0; j < matched.length; j++) if (c.selects[j] && !covered[j]) gain++;
      if (gain > bestGain) [best, bestGain] = [i, gain];
    });
    // cannot happen while every match satisfies some narrowing; refuse rather than miss entries
    if (best < 0) return undefined;
    const chosen = candidates[best]!;
    chosen.selects.forEach((s, j) => {
      if (s) covered[j] = true;
    });
    left -= bestGain;
    parts.push({ filter: chosen.filter, entries: matched.filter((_, j) => chosen.selects[j]) });
  }
  return parts;
}

/**
 * `f` without the tests conntrack has no equal for at all (NAT by tuples, ctflow's zone test,
 * reply CIDRs, statuses other than ASSURED/SEEN_REPLY), or undefined when it has none of them.
 * When the relaxed filter selects no more entries of the table than `f` did, its cover is exact
 * for that table.
 */
export function relaxedFilter(f: FilterOptions): FilterOptions | undefined {
  const status = f.status?.filter((s) => s === 'ASSURED' || s === 'SEEN_REPLY');
  const cidr = (a: string | undefined): boolean => a !== undefined && !isPlainAddress(a);
  const drops = f.snat || f.dnat || f.nat || f.zone !== undefined || cidr(f.replySrc) || cidr(f.replyDst)
    || (f.status !== undefined && status!.length !== f.status.length);
  if (!drops) return undefined;
  return {
    ...f, snat: undefined, dnat: undefined, nat: undefined, zone: undefined,
    replySrc: cidr(f.replySrc) ? undefined : f.replySrc,
    replyDst: cidr(f.replyDst) ? undefined : f.replyDst,
    status: status === undefined || status.length === 0 ? undefined : status,
  };
}

/** Tuple fields conntrack filters by exact address: what matches no narrowing covers are grouped by. */
const GROUP_KEYS = [['replyDst'], ['replySrc'], ['dst'], ['src'], ['src', 'replyDst'], ['dst', 'replySrc']] as const;
type GroupField = (typeof GROUP_KEYS)[number][number];

function fieldOf(c: Conn, f: GroupField): string {
  switch (f) {
    case 'src': return c.original.src;
    case 'dst': return c.original.dst;
    case 'replySrc': return c.reply.src;
    case 'replyDst': return c.reply.dst;
  }
}

function keyOf(c: Conn, key: readonly GroupField[]): string {
  return key.length === 1 ? fieldOf(c, key[0]!) : key.map((f) => fieldOf(c, f)).join(' ');
}

/**
 * For matches no narrowing covers (NAT by tuples, zones, reply CIDRs, UNREPLIED…): how many
 * entries of the table the relaxed filter selects per address (or address pair), counted during
 * the one read. A group of matches sharing an address is one conntrack filter (the relaxed filter
 * plus that address) exactly when the table holds no other entry the filter selects, i.e. when
 * the counts are equal.
 */
export class GroupCounts {
  private readonly counts = GROUP_KEYS.map(() => new Map<string, number>());

  /** an entry the relaxed filter selects */
  add(c: Conn): void {
    GROUP_KEYS.forEach((key, i) => {
      const k = keyOf(c, key);
      const m = this.counts[i]!;
      m.set(k, (m.get(k) ?? 0) + 1);
    });
  }

  /**
   * The grouping by one key that needs the fewest conntrack runs: a -D per group the table
   * confirms, plus one walk per match left (the caller's exact batch). undefined when no grouping
   * beats one walk per match.
   */
  cover(relaxed: FilterOptions, matched: readonly Conn[]): { parts: CoverPart[]; left: Conn[] } | undefined {
    const base = conntrackFilterFor(relaxed);
    if (base === undefined) return undefined;
    let best: { parts: CoverPart[]; left: Conn[] } | undefined;
    let bestCost = matched.length;
    GROUP_KEYS.forEach((key, i) => {
      const groups = new Map<string, Conn[]>();
      for (const c of matched) {
        const k = keyOf(c, key);
        const g = groups.get(k);
        if (g === undefined) groups.set(k, [c]);
        else g.push(c);
      }
      const parts: CoverPart[] = [];
      const left: Conn[] = [];
      for (const [k, entries] of groups) {
        if (this.counts[i]!.get(k) !== entries.length) {
          left.push(...entries);
          continue;
        }
        const filter: ConntrackFilter = { ...base };
        for (const f of key) filter[f] = fieldOf(entries[0]!, f);
        parts.push({ filter: compactFilter(filter), entries });
      }
      const cost = parts.length + left.length;
      if (cost < bestCost) [best, bestCost] = [{ parts, left }, cost];
    });
    return best;
  }
}
