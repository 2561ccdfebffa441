// The one shape every `ctflow stats` output renders from (report, --json, --prom): the table pass,
// the kernel's own count/max and its per-CPU counters, joined with the fill levels derived from
// them. Keys are snake_case because this object is what --json prints.

import type { KernelCounters } from '../parse/kernel-stats.js';
import type { TableStats, Talker } from './table-stats.js';

export interface StatsReport {
  /** entries read from the source (the whole table, filter or not); undefined when the source held only kernel counters */
  entries: number | undefined;
  /** entries read not [UNREPLIED] (whole table) */
  replied: number | undefined;
  /** the filter given (`-p tcp --state SYN_RECV`), undefined without one */
  filter: string | undefined;
  /**
   * entries that passed the filter (= entries without one): the breakdowns, status, NAT, zones,
   * marks, packets, bytes and top talkers count only these
   */
  matched: number | undefined;
  /** nf_conntrack_count / _max, when the live table was read */
  count: number | undefined;
  max: number | undefined;
  /** count (or entries) / max × 100, three decimals; undefined without max */
  fill_percent: number | undefined;
  /** the same counting only replied entries: an UNREPLIED flood shows as the gap between the two */
  replied_fill_percent: number | undefined;
  families: Record<string, number>;
  protocols: Record<string, number>;
  states: Record<string, Record<string, number>>;
  /** "family/protocol/state" ("-" when the protocol has none) → entries */
  breakdown: Record<string, number>;
  status: { assured: number; unreplied: number; offload: number; hw_offload: number };
  nat: { snat: number; dnat: number; both: number; none: number };
  zones: Record<string, number>;
  marks: Record<string, number>;
  packets: number | undefined;
  bytes: number | undefined;
  top: {
    sources_by_connections: Talker[];
    destinations_by_connections: Talker[];
    sources_by_bytes: Talker[];
    destinations_by_bytes: Talker[];
  } | undefined;
  kernel_counters: Record<string, number> | undefined;
  /** present with --per-cpu */
  per_cpu: Array<{ cpu: number } & Record<string, number>> | undefined;
}

export interface StatsInputs {
  table: TableStats | undefined;
  count?: number | undefined;
  max?: number | undefined;
  counters?: KernelCounters | undefined;
  perCpu?: boolean;
  /** the filter as the user gave it, for the report to say what it counted */
  filter?: string | undefined;
}

function percent(part: number, whole: number): number {
  return Math.round((part / whole) * 100 * 1000) / 1000;
}

export function buildStatsReport(inputs: StatsInputs): StatsReport {
  const t = inputs.table;
  const max = inputs.max;
  const used = inputs.count ?? t?.count;
  const fill = max !== undefined && max > 0 && used !== undefined ? percent(used, max) : undefined;
  const repliedFill = max !== undefined && max > 0 && t !== undefined ? percent(t.replied, max) : undefined;
  const counters = inputs.counters;
  return {
    entries: t?.count,
    replied: t?.replied,
    filter: t === undefined ? undefined : inputs.filter,
    matched: t?.matched,
    count: inputs.count,
    max,
    fill_percent: fill,
    replied_fill_percent: repliedFill,
    families: t?.families ?? {},
    protocols: t?.protocols ?? {},
    states: t?.states ?? {},
    breakdown: t?.breakdown ?? {},
    status: t === undefined
      ? { assured: 0, unreplied: 0, offload: 0, hw_offload: 0 }
      : { assured: t.status.assured, unreplied: t.status.unreplied, offload: t.status.offload, hw_offload: t.status.hwOffload },
    nat: t?.nat ?? { snat: 0, dnat: 0, both: 0, none: 0 },
    zones: t?.zones ?? {},
    marks: t?.marks ?? {},
    packets: t?.packets,
    bytes: t?.bytes,
    top: t === undefined
      ? undefined
      : {
        sources_by_connections: t.top.sourcesByConnections,
        destinations_by_connections: t.top.destinationsByConnections,
        sources_by_bytes: t.top.sourcesByBytes,
        destinations_by_bytes: t.top.destinationsByBytes,
      },
    kernel_counters: counters?.total,
    per_cpu: inputs.perCpu === true && counters !== undefined
      ? counters.perCpu.map((row) => ({ cpu: row.cpu, ...row.counters }))
      : undefined,
  };
}
