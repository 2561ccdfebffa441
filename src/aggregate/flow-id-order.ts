// The flows order (flow-order.ts) for flows still in the aggregator's compact form: it orders flow
// numbers, reading keys and counters from the typed arrays, so `flows` on a big router sorts and
// writes ~90k flows without making ~90k flow objects first (they were ~0.2 s of allocation and
// garbage collection and ~40 MB of peak RSS on 1M lines; README, "Performance").
//
// The order is that of the plain comparator over flow objects (sortFlows in test/helpers/flows.ts;
// test/aggregate/flow-id-order.test.ts compares them on every fixture): the
// same key, the same identity tiebreak, and a stable sort of flow numbers in first-seen order,
// which is the order values() lists the flows in. Addresses compare through a rank per address
// (compared once while ranking, not at every comparison of two flows).

import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { compareParsedAddresses, portOrder, type FlowSortKey } from './flow-order.js';
import { K, K_KIND, K_LOCAL, K_LPORT, K_NAT, K_NPORT, K_PEER, K_PPORT, S } from './flow-table.js';
import { portOf, type FlowPart } from './host-flows.js';

/** comparePorts' rank of a port code. */
const portRank = (code: number): number => portOrder(portOf(code));

/**
 * The rank of every address id, and of "no NAT target" (the empty text compareFlowIdentity
 * compares it as), in compareAddresses order; equal texts get equal ranks.
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
  const ipv4 = (i: number): number | undefined => (v4[i]! >= 0 ? v4[i] : undefined);
  const compare = (a: number, b: number): number => compareParsedAddresses(text(a), ipv4(a), v6[a], text(b), ipv4(b), v6[b]);
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

/** The flow numbers of `part` in the flows order for `key`. */
export function sortFlowIds(part: FlowPart, key: FlowSortKey = 'bytes'): Int32Array {
  const { keys, sums, kinds } = part;
  const n = sums.length / S;
  const { ranks, none } = addressRanks(part.addresses);
  // the identity's first three fields (direction, protocol number, protocol name) as one rank per
  // K_KIND value; the other fields are read from the keys through the address ranks (no copy of
  // each field per flow: ~4 MB less at the peak of a big table)
  const names = [...new Set(kinds.map((k) => k[0]))].sort();
  // (kinds of both families share a rank: the identity does not compare the family)
  const kindKey = (k: number): number => kinds[k]![1] * 65536 + names.indexOf(kinds[k]![0]);
  const kindRank = Int32Array.from(kinds.keys(), kindKey);
  const head = (f: number): number => {
    const kind = keys[f * K + K_KIND]!;
    return (kind >>> 16) * 2 ** 24 + kindRank[kind & 0xffff]!;
  };
  const natRank = (f: number): number => {
    const id = keys[f * K + K_NAT]!;
    return id === 0 ? none : ranks[id - 1]!;
  };
  const natPort = (f: number): number => (keys[f * K + K_NAT] === 0 ? -1 : portRank(keys[f * K + K_NPORT]!));
  const identity = (a: number, b: number): number => {
    const i = a * K;
    const j = b * K;
    return head(a) - head(b) || ranks[keys[i + K_LOCAL]!]! - ranks[keys[j + K_LOCAL]!]! ||
      portRank(keys[i + K_LPORT]!) - portRank(keys[j + K_LPORT]!) || ranks[keys[i + K_PEER]!]! - ranks[keys[j + K_PEER]!]! ||
      portRank(keys[i + K_PPORT]!) - portRank(keys[j + K_PPORT]!) || natRank(a) - natRank(b) || natPort(a) - natPort(b);
  };
  const peer = (f: number): number => ranks[keys[f * K + K_PEER]!]!;

  const order = Array.from({ length: n }, (_, i) => i);
  if (key === 'peer') {
    order.sort((a, b) => peer(a) - peer(b) || identity(a, b));
  } else if (key === 'port') {
    // the service port: the peer's for active and forward flows (directions 1 and 3), else the local one
    const service = (f: number): number => {
      const direction = keys[f * K + K_KIND]! >>> 16;
      return portRank(keys[f * K + (direction === 1 || direction === 3 ? K_PPORT : K_LPORT)]!);
    };
    order.sort((a, b) => service(a) - service(b) || identity(a, b));
  } else {
    // the counts are read from the sums as they are compared (no copy of them per flow)
    const bytes = (f: number): number => sums[f * S + 3]! + sums[f * S + 5]!;
    const connections = (f: number): number => sums[f * S]!;
    const packets = (f: number): number => sums[f * S + 2]! + sums[f * S + 4]!;
    const first = key === 'bytes' ? bytes : key === 'connections' ? connections : packets;
    const second = key === 'connections' ? bytes : connections;
    order.sort((a, b) => first(b) - first(a) || second(b) - second(a) || identity(a, b));
  }
  return Int32Array.from(order);
}
