// The order of host flows: the chosen key first (largest first for counts, ascending for peer and
// port), then a total order over every identity field, so rows print in the same order on every
// run whatever order the table listed its connections in. The comparisons of flow objects live
// here (top's rows use them); `flows` sorts the aggregator's flow numbers by the same order
// (flow-id-order.ts), which tests hold to the plain comparator over flow objects
// (test/helpers/flows.ts, sortFlows).

import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { DIRECTIONS, type FlowPort, type HostFlow } from './host-flows.js';

export type FlowSortKey = 'connections' | 'bytes' | 'packets' | 'peer' | 'port';
export const FLOW_SORT_KEYS: readonly FlowSortKey[] = ['bytes', 'connections', 'packets', 'peer', 'port'];

/** Address order: IPv4 before IPv6, then numerically (10.0.0.9 before 10.0.0.10). */
export function compareAddresses(a: string, b: string): number {
  if (a === b) return 0;
  const a4 = parseIPv4(a);
  const b4 = parseIPv4(b);
  return compareParsedAddresses(a, a4, a4 === undefined ? parseIPv6(a) : undefined, b, b4, b4 === undefined ? parseIPv6(b) : undefined);
}

/**
 * compareAddresses on addresses parsed already (their IPv4 value, or else their IPv6 groups;
 * neither for other text): a caller ranking many addresses parses each one once.
 */
export function compareParsedAddresses(
  a: string, a4: number | undefined, a6: number[] | undefined, b: string, b4: number | undefined, b6: number[] | undefined,
): number {
  if (a === b) return 0;
  if (a4 !== undefined || b4 !== undefined) {
    if (a4 === undefined) return 1;
    if (b4 === undefined) return -1;
    return a4 - b4;
  }
  if (a6 && b6) {
    for (let i = 0; i < 8; i++) if (a6[i] !== b6[i]) return a6[i]! - b6[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A port's place in the order: undefined first, numbers ascending, 'many' last. */
export function portOrder(p: FlowPort): number {
  return p === undefined ? -1 : p === 'many' ? 65536 * 65536 : p;
}

/** undefined < numbers (ascending) < 'many' */
export function comparePorts(a: FlowPort, b: FlowPort): number {
  return portOrder(a) - portOrder(b);
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

