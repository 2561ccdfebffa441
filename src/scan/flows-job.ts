// The scan job behind `ctflow flows` (see job.ts): each thread sums its part of the table into
// host flows in its own aggregator; a worker's flows come back in the aggregator's compact form
// (address list + typed arrays) and are added into this thread's by identity, which gives the
// same flows as one aggregator over the whole table (sums do not care about order, and
// sortFlowIds puts the rows in one fixed order afterwards). Structured-cloning ~90k flow objects
// out of a worker and merging them by identity strings cost more than the worker saved.

import { HostFlowAggregator, type FlowPart } from '../aggregate/host-flows.js';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import { connOfScan, scanOfConn } from '../parse/conn-bytes.js';
import type { Job, JobSpec } from './job.js';

export interface FlowsJobParams {
  filter: FilterOptions;
  /** this host's addresses, canonical text */
  local: string[];
}

export const FLOWS: Job<FlowsJobParams, HostFlowAggregator, FlowPart> = {
  create(params) {
    const filter = compileFilter(params.filter);
    const flows = new HostFlowAggregator(new Set(params.local));
    return {
      // the full parser's record counts as a scan too: one counting function (count)
      conn(c) {
        if (filter(c)) flows.count(scanOfConn(c));
      },
      // a filter reads a record; without one none is made
      scanned: filter === always ? (s) => flows.count(s) : (s) => {
        if (filter(connOfScan(s))) flows.count(s);
      },
      state: flows,
    };
  },
  toPart: (flows) => flows.part(),
  absorb: (into, part) => into.absorb(part),
};

/** The scan; its result is the aggregator holding every flow. */
export function flowsJob(params: FlowsJobParams): JobSpec<FlowsJobParams, HostFlowAggregator> {
  return {
    name: 'flows',
    job: FLOWS,
    params,
    // counting from the scan is parse-bound (one thread on two cores, run-scan.ts workerCount);
    // a filter makes a record of every line, and then the worker pays (docs/performance.md)
    parseBound: compileFilter(params.filter) === always,
  };
}
