// The scan job behind `ctflow flows` (see source/scan-job.ts): each part of the table is summed
// into host flows by its own aggregator; the parts' flows are then added up by identity, which
// gives the same flows as one aggregator over the whole table (sums do not care about order,
// and sortFlowIds puts the rows in one fixed order afterwards). A part travels in the aggregator's
// compact form (address list + typed arrays): structured-cloning ~90k flow objects out of a
// worker and merging them by identity strings cost more than the worker saved (measured).

import { HostFlowAggregator, type FlowPart } from '../aggregate/host-flows.js';
import { isMainThread } from 'node:worker_threads';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import { connOfScan } from '../parse/conn-bytes.js';
import type { CreateJob, JobSpec } from '../source/scan-job.js';

export interface FlowsJobParams {
  filter: FilterOptions;
  /** this host's addresses, canonical text */
  local: string[];
}

export const createJob: CreateJob<FlowsJobParams, FlowPart> = (params) => {
  const filter = compileFilter(params.filter);
  const flows = new HostFlowAggregator(new Set(params.local));
  return {
    conn(c) {
      if (filter(c)) flows.count(c);
    },
    // without a filter no record is needed: the flow is found from the scan's values
    scanned: filter === always ? (s) => flows.countScan(s) : (s) => {
      const c = connOfScan(s);
      if (filter(c)) flows.count(c);
    },
    // in this thread the part is only a token for its aggregator (see own())
    finish: () => own(isMainThread ? EMPTY_PART() : flows.part(), flows),
  };
};

/**
 * The aggregator a part came from, when it was made in this thread: one part (a single-threaded
 * read) then gives its flows without being added up again (that doubled peak RSS).
 */
const EMPTY_PART = (): FlowPart => ({ addresses: [], kinds: [], keys: new Int32Array(0), sums: new Float64Array(0) });
const origin = new WeakMap<FlowPart, HostFlowAggregator>();
function own(part: FlowPart, agg: HostFlowAggregator): FlowPart {
  origin.set(part, agg);
  return part;
}

/** The flows of several parts of one table, added up, in the aggregator that holds them. */
export function flowTableOf(parts: FlowPart[], local: readonly string[]): HostFlowAggregator {
  const mine = parts.length === 1 ? origin.get(parts[0]!) : undefined;
  if (mine !== undefined) return mine;
  const all = new HostFlowAggregator(new Set(local));
  for (const p of parts) all.absorb(p);
  return all;
}


/** The job; its result is one part holding every flow (`flowTableOf([result], local)` holds them). */
export function flowsJob(params: FlowsJobParams): JobSpec<FlowsJobParams, FlowPart> {
  return {
    job: 'flows',
    params,
    // counting from the scan is light (one thread on two cores, parallel-scan.ts workerCount);
    // a filter makes a record of every line, and then the worker pays (measured: 1M lines
    // -p tcp 1.58-1.72 s in one thread, 1.42-1.50 s with the worker)
    light: compileFilter(params.filter) === always,
    merge(parts) {
      if (parts.length === 1) return parts[0]!;
      // added into this thread's own aggregator when one took part (its flows are made already)
      const base = parts.find((p) => origin.has(p));
      const all = base === undefined ? new HostFlowAggregator(new Set(params.local)) : origin.get(base)!;
      // another part made in this thread (a scan begun here, then shared) is its aggregator's
      for (const p of parts) if (p !== base) all.absorb(origin.get(p)?.part() ?? p);
      return own(EMPTY_PART(), all);
    },
  };
}
