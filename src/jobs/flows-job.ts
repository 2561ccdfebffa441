// The scan job behind `ctflow flows` (see source/scan-job.ts): each part of the table is summed
// into host flows by its own aggregator; the parts' flows are then added up by identity, which
// gives the same flows as one aggregator over the whole table (sums do not care about order,
// and sortFlows puts the rows in one fixed order afterwards).

import { HostFlowAggregator, type HostFlow } from '../aggregate/host-flows.js';
import { compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import type { CreateJob, JobSpec } from '../source/scan-job.js';

export interface FlowsJobParams {
  filter: FilterOptions;
  /** this host's addresses, canonical text */
  local: string[];
}

export const createJob: CreateJob<FlowsJobParams, HostFlow[]> = (params) => {
  const filter = compileFilter(params.filter);
  const flows = new HostFlowAggregator(new Set(params.local));
  return {
    conn(c) {
      if (filter(c)) flows.add(c);
    },
    finish: () => flows.values(),
  };
};

/** Everything that makes two flows the same flow (the aggregator's grouping). */
function identity(f: HostFlow): string {
  const nat = f.natTarget === undefined ? '' : `|${f.natTarget.addr}|${f.natTarget.port}`;
  return `${f.direction}|${f.protonum}|${f.local.addr}|${f.local.port}|${f.peer.addr}|${f.peer.port}${nat}`;
}

/** Flows of several parts, added up. */
export function mergeFlows(parts: HostFlow[][]): HostFlow[] {
  if (parts.length === 1) return parts[0]!;
  const byId = new Map<string, HostFlow>();
  const out: HostFlow[] = [];
  for (const part of parts) {
    for (const f of part) {
      const id = identity(f);
      const seen = byId.get(id);
      if (seen === undefined) {
        byId.set(id, f);
        out.push(f);
        continue;
      }
      seen.connections += f.connections;
      seen.counted += f.counted;
      seen.inPackets += f.inPackets;
      seen.inBytes += f.inBytes;
      seen.outPackets += f.outPackets;
      seen.outBytes += f.outBytes;
    }
  }
  return out;
}

export function flowsJob(params: FlowsJobParams): JobSpec<FlowsJobParams, HostFlow[]> {
  return { module: import.meta.url, params, merge: mergeFlows };
}
