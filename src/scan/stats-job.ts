// The scan job behind `ctflow stats` (see job.ts): each thread counts its part of the table in
// its own collector; a worker's counts come back as plain data (TableStatsPart) and are added
// into this thread's collector (counts and sums do not care about order, and every breakdown
// and top list is sorted with a full tiebreak afterwards), so workers and one thread give the
// same report.

import { createTableStats, type TableStatsCollector, type TableStatsPart } from '../aggregate/table-stats.js';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import { connOfScan, scanOfConn } from '../parse/conn-bytes.js';
import type { Job, JobSpec } from './job.js';

/** plain data (it crosses to the workers): the filter's options, compiled in each thread */
export interface StatsJobParams {
  /** `stats -p tcp …`: only matching entries count in the breakdowns (table-stats.ts) */
  filter?: FilterOptions;
}

export const STATS: Job<StatsJobParams, TableStatsCollector, TableStatsPart> = {
  create(params) {
    const collector = createTableStats();
    const filter = params.filter === undefined ? always : compileFilter(params.filter);
    // the full parser's record counts as a scan too: one counting function (add)
    return filter === always ? {
      conn: (c) => collector.add(scanOfConn(c)),
      scanned: (s) => collector.add(s),
      state: collector,
    } : {
      conn: (c) => (filter(c) ? collector.add(scanOfConn(c)) : collector.skip(c.unreplied)),
      // a filter reads a record (as in flows-job.ts)
      scanned: (s) => (filter(connOfScan(s)) ? collector.add(s) : collector.skip(s.unreplied)),
      state: collector,
    };
  },
  toPart: (collector) => collector.part(),
  absorb: (into, part) => into.absorb(part),
};

/** The scan; its result is the collector holding the whole table. */
export function statsJob(params: StatsJobParams = {}): JobSpec<StatsJobParams, TableStatsCollector> {
  return {
    name: 'stats',
    job: STATS,
    params,
    // parse-bound without a filter, as in flows-job.ts
    parseBound: params.filter === undefined || compileFilter(params.filter) === always,
  };
}
