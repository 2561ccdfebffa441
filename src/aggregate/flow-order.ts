// The order of host flows: the chosen key first (largest first for counts, ascending for peer and
// port), then a total order over every identity field, so rows print in the same order on every
// run whatever order the table listed its connections in.

import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { DIRECTIONS, type FlowPort, type HostFlow } from './host-flows.js';

export type FlowSortKey = 'connections' | 'bytes' | 'packets' | 'peer' | 'port';
export const FLOW_SORT_KEYS: readonly FlowSortKey[] = ['bytes', 'connections', 'packets', 'peer', 'port'];

/** Address order: IPv4 before IPv6, then numerically (10.0.0.9 before 10.0.0.10). */
export function compareAddresses(a: string, b: string): number {
  if (a === b) return 0;
  const a4 = parseIPv4(a);
  const b4 = parseIPv4(b);
  if (a4 !== undefined || b4 !== undefined) {
    if (a4 === undefined) return 1;
    if (b4 === undefined) return -1;
    return a4 - b4;
  }
  const a6 = parseIPv6(a);
  const b6 = parseIPv6(b);
  if (a6 && b6) {
    for (let i = 0; i < 8; i++) if (a6[i] !== b6[i]) return a6[i]! - b6[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** undefined < numbers (ascending) < 'many' */
function comparePorts(a: FlowPort, b: FlowPort): number {
  const rank = (p: FlowPort): number => (p === undefined ? -1 : p === 'many' ? 65536 * 65536 : p);
  return rank(a) - rank(b);
}

/** The service port of a flow: what `--sort port` and `--aport/--pport` look at. */
export function servicePort(f: HostFlow): FlowPort {
  return f.direction === 'active' || f.direction === 'forward' ? f.peer.port : f.local.port;
}

/** Total order over every flow field, so equal sort keys still print in one fixed order. */
export function compareFlowIdentity(a: HostFlow, b: HostFlow): number {
  return (
    DIRECTIONS.indexOf(a.direction) - DIRECTIONS.indexOf(b.direction) ||
    a.protonum - b.protonum ||
    (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0) ||
    compareAddresses(a.local.addr, b.local.addr) ||
    comparePorts(a.local.port, b.local.port) ||
    compareAddresses(a.peer.addr, b.peer.addr) ||
    comparePorts(a.peer.port, b.peer.port) ||
    compareAddresses(a.natTarget?.addr ?? '', b.natTarget?.addr ?? '') ||
    comparePorts(a.natTarget?.port, b.natTarget?.port)
  );
}


/**
 * Sort a copy: the key (largest first for counts, ascending for peer/port), then a fixed
 * tiebreak. The definition of the flows order on flow objects; `flows` itself sorts the
 * aggregator's flow numbers with sortFlowIds (flow-id-order.ts), which tests hold to it.
 */
export function sortFlows(flows: readonly HostFlow[], key: FlowSortKey = 'bytes'): HostFlow[] {
  if (key === 'bytes' || key === 'connections' || key === 'packets') return sortByCounts(flows, key);
  const byKey: Record<'peer' | 'port', (a: HostFlow, b: HostFlow) => number> = {
    peer: (a, b) => compareAddresses(a.peer.addr, b.peer.addr),
    port: (a, b) => comparePorts(servicePort(a), servicePort(b)),
  };
  const primary = byKey[key];
  return [...flows].sort((a, b) => primary(a, b) || compareFlowIdentity(a, b));
}

/**
 * The count keys, largest first: both counts are read once into arrays and an index is sorted,
 * so the comparisons touch two arrays, not two scattered objects each; ties fall back to the
 * identity order.
 */
function sortByCounts(flows: readonly HostFlow[], key: 'bytes' | 'connections' | 'packets'): HostFlow[] {
  const n = flows.length;
  const first = new Float64Array(n);
  const second = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = flows[i]!;
    const bytes = f.inBytes + f.outBytes;
    first[i] = key === 'bytes' ? bytes : key === 'connections' ? f.connections : f.inPackets + f.outPackets;
    second[i] = key === 'connections' ? bytes : f.connections;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => first[b]! - first[a]! || second[b]! - second[a]! || compareFlowIdentity(flows[a]!, flows[b]!));
  return order.map((i) => flows[i]!);
}
