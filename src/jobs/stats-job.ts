// The scan job behind `ctflow stats` (see source/scan-job.ts): each part of the table is counted
// by its own collector; the parts are added into one (counts and sums do not care about order,
// and every breakdown and top list is sorted with a full tiebreak afterwards), so workers and one
// thread give the same report. A worker hands back plain data (TableStatsPart); in this thread
// the result is only a token for the collector itself, which is never copied.

import { isMainThread } from 'node:worker_threads';
import { createTableStats, type TableStatsCollector, type TableStatsPart } from '../aggregate/table-stats.js';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import { connOfScan } from '../parse/conn-bytes.js';
import type { CreateJob, JobSpec } from '../source/scan-job.js';

/** plain data (it crosses to the workers): the filter's options, compiled in each thread */
export interface StatsJobParams {
  /** `stats -p tcp …`: only matching entries count in the breakdowns (table-stats.ts) */
  filter?: FilterOptions;
}

/** What a run gives: a part token; `statsOf` turns it into the collector holding the whole table. */
export type StatsResult = TableStatsPart | { token: true };

const origin = new WeakMap<object, TableStatsCollector>();
function own(result: StatsResult, collector: TableStatsCollector): StatsResult {
  origin.set(result, collector);
  return result;
}

export const createJob: CreateJob<StatsJobParams, StatsResult> = (params) => {
  const collector = createTableStats();
  const filter = params.filter === undefined ? always : compileFilter(params.filter);
  return filter === always ? {
    conn: (c) => collector.add(c),
    scanned: (s) => collector.addScan(s),
    finish: () => (isMainThread ? own({ token: true }, collector) : collector.part()),
  } : {
    conn: (c) => (filter(c) ? collector.add(c) : collector.skip(c.unreplied)),
    // a filter needs the record (as in flows-job.ts)
    scanned: (s) => {
      const c = connOfScan(s);
      if (filter(c)) collector.add(c);
      else collector.skip(c.unreplied);
    },
    finish: () => (isMainThread ? own({ token: true }, collector) : collector.part()),
  };
};

/** The collector holding every part of a run's table. */
export function statsOf(result: StatsResult): TableStatsCollector {
  const mine = origin.get(result);
  if (mine !== undefined) return mine;
  const all = createTableStats();
  all.absorb(result as TableStatsPart);
  return all;
}

export function statsJob(params: StatsJobParams = {}): JobSpec<StatsJobParams, StatsResult> {
  return {
    job: 'stats',
    params,
    // light without a filter, as in flows-job.ts (with -p tcp: 1.29-1.38 s in one thread,
    // 1.19-1.21 s with the worker)
    light: params.filter === undefined || compileFilter(params.filter) === always,
    merge(results) {
      if (results.length === 0) return own({ token: true }, createTableStats());
      if (results.length === 1) return results[0]!;
      // added into this thread's own collector when one took part
      const base = results.find((r) => origin.has(r));
      const all = base === undefined ? createTableStats() : origin.get(base)!;
      // another result made in this thread (a scan begun here, then shared) is its collector's
      for (const r of results) if (r !== base) all.absorb(origin.get(r)?.part() ?? (r as TableStatsPart));
      return own({ token: true }, all);
    },
  };
}
