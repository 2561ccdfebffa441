// sortFlows (flow-order.ts) for flows still in the aggregator's compact form: it orders flow
// numbers, reading keys and counters from the typed arrays, so `flows` on a big router sorts and
// writes ~90k flows without making ~90k flow objects first (they were ~0.2 s of allocation and
// garbage collection and ~40 MB of peak RSS on 1M lines; README, "Performance").
//
// The order is sortFlows' exactly (test/aggregate/flow-id-order.test.ts compares them): the
// same key, the same identity tiebreak, and a stable sort of flow numbers in first-seen order,
// which is the order values() lists the flows in. Addresses compare through a rank per address
// (compareAddresses once per pair of distinct addresses, not per comparison of two flows).

import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { compareAddresses, type FlowSortKey } from './flow-order.js';
import { K, K_KIND, K_LOCAL, K_LPORT, K_NAT, K_NPORT, K_PEER, K_PPORT, PORT_MANY, PORT_NONE, S, type FlowPart } from './host-flows.js';

/** comparePorts' rank of a port code: none first, then numbers, 'many' last. */
function portRank(code: number): number {
  return code === PORT_NONE ? -1 : code === PORT_MANY ? 65536 * 65536 : code;
}

/**
 * The rank of every address id, and of "no NAT target" (the empty text sortFlows compares it
 * as), in compareAddresses order; equal texts get equal ranks.
 */
function addressRanks(addresses: readonly string[]): { ranks: Int32Array; none: number } {
  const n = addresses.length;
  const text = (i: number): string => (i === n ? '' : addresses[i]!);
  // compareAddresses, with each address parsed once instead of at every comparison (~100k
  // addresses: ~50 ms less)
  const v4 = new Float64Array(n + 1).fill(-1);
  const v6: Array<number[] | undefined> = new Array<number[] | undefined>(n + 1).fill(undefined);
  for (let i = 0; i <= n; i++) {
    const value = parseIPv4(text(i));
    if (value !== undefined) v4[i] = value;
    else v6[i] = parseIPv6(text(i));
  }
  const compare = (a: number, b: number): number => {
    if (a === b) return 0;
    if (v4[a]! >= 0 || v4[b]! >= 0) return v4[a]! < 0 ? 1 : v4[b]! < 0 ? -1 : v4[a]! - v4[b]!;
    const a6 = v6[a];
    const b6 = v6[b];
    if (a6 !== undefined && b6 !== undefined) {
      for (let g = 0; g < 8; g++) if (a6[g] !== b6[g]) return a6[g]! - b6[g]!;
      return 0;
    }
    return compareAddresses(text(a), text(b));
  };
  const ids = Array.from({ length: n + 1 }, (_, i) => i);
  ids.sort(compare);
  const ranks = new Int32Array(n + 1);
  let rank = 0;
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && compare(ids[i - 1]!, ids[i]!) !== 0) rank++;
    ranks[ids[i]!] = rank;
  }
  return { ranks, none: ranks[n]! };
}

/** The flow numbers of `part` in sortFlows(flows, key) order. */
export function sortFlowIds(part: FlowPart, key: FlowSortKey = 'bytes'): Int32Array {
  const { keys, sums, kinds } = part;
  const n = sums.length / S;
  const { ranks, none } = addressRanks(part.addresses);
  // per flow, every field the comparison reads, side by side in typed arrays
  const direction = new Int32Array(n);
  const protonum = new Int32Array(n);
  const protocol = new Int32Array(n); // rank of the protocol name
  const local = new Int32Array(n);
  const lport = new Float64Array(n);
  const peer = new Int32Array(n);
  const pport = new Float64Array(n);
  const nat = new Int32Array(n);
  const nport = new Float64Array(n);
  const names = [...new Set(kinds.map((k) => k[0]))].sort();
  const kindName = Int32Array.from(kinds, (k) => names.indexOf(k[0]));
  for (let f = 0; f < n; f++) {
    const b = f * K;
    const kind = keys[b + K_KIND]!;
    direction[f] = kind >>> 16;
    protonum[f] = kinds[kind & 0xffff]![1];
    protocol[f] = kindName[kind & 0xffff]!;
    local[f] = ranks[keys[b + K_LOCAL]!]!;
    lport[f] = portRank(keys[b + K_LPORT]!);
    peer[f] = ranks[keys[b + K_PEER]!]!;
    pport[f] = portRank(keys[b + K_PPORT]!);
    const natId = keys[b + K_NAT]!;
    nat[f] = natId === 0 ? none : ranks[natId - 1]!;
    nport[f] = natId === 0 ? -1 : portRank(keys[b + K_NPORT]!);
  }
  const identity = (a: number, b: number): number =>
    direction[a]! - direction[b]! || protonum[a]! - protonum[b]! || protocol[a]! - protocol[b]! ||
    local[a]! - local[b]! || lport[a]! - lport[b]! || peer[a]! - peer[b]! || pport[a]! - pport[b]! ||
    nat[a]! - nat[b]! || nport[a]! - nport[b]!;

  const order = Array.from({ length: n }, (_, i) => i);
  if (key === 'peer') {
    order.sort((a, b) => peer[a]! - peer[b]! || identity(a, b));
  } else if (key === 'port') {
    // the service port: the peer's for active and forward flows (directions 1 and 3), else the local one
    const service = (f: number): number => (direction[f] === 1 || direction[f] === 3 ? pport[f]! : lport[f]!);
    order.sort((a, b) => service(a) - service(b) || identity(a, b));
  } else {
    const first = new Float64Array(n);
    const second = new Float64Array(n);
    for (let f = 0; f < n; f++) {
      const t = f * S;
      const bytes = sums[t + 3]! + sums[t + 5]!;
      first[f] = key === 'bytes' ? bytes : key === 'connections' ? sums[t]! : sums[t + 2]! + sums[t + 4]!;
      second[f] = key === 'connections' ? bytes : sums[t]!;
    }
    order.sort((a, b) => first[b]! - first[a]! || second[b]! - second[a]! || identity(a, b));
  }
  return Int32Array.from(order);
}
