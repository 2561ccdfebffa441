// ctflow's filter as conntrack's own: the exact equal, or nothing. Each rule was checked against
// conntrack v1.4.7 in a namespace.

import { isPlainAddress } from '../filter/address-match.js';
import type { FilterOptions } from '../filter/compile-filter.js';
import { PORT_PROTOCOLS, PROTOCOL_BY_NUMBER } from '../model.js';
import type { ConntrackFilter } from './conntrack-invocation.js';

const STATUS_CONNTRACK_KNOWS = new Set(['ASSURED', 'SEEN_REPLY']);

/**
 * The conntrack filter equal to ctflow's filter, or undefined when conntrack cannot say the same
 * thing (its own semantics differ or it lacks the test).
 */
export function conntrackFilterFor(f: FilterOptions): ConntrackFilter | undefined {
  // --port (any port), NAT by tuples and directional zones: conntrack has no equal test
  if (f.port !== undefined || f.snat || f.dnat || f.nat || f.zone !== undefined) return undefined;
  if (f.state !== undefined && (f.state.length !== 1 || f.proto === undefined)) return undefined;
  // conntrack has no mask for reply addresses
  if (f.replySrc !== undefined && !isPlainAddress(f.replySrc)) return undefined;
  if (f.replyDst !== undefined && !isPlainAddress(f.replyDst)) return undefined;
  if (f.status !== undefined && !f.status.every((s) => STATUS_CONNTRACK_KNOWS.has(s))) return undefined;
  const ports = f.sport !== undefined || f.dport !== undefined || f.replyPortSrc !== undefined || f.replyPortDst !== undefined;
  const protoName = f.proto === undefined ? undefined : PROTOCOL_BY_NUMBER.get(f.proto) ?? String(f.proto);
  // port options are read by conntrack's protocol extension: they need a port protocol
  if (ports && !(protoName !== undefined && PORT_PROTOCOLS.has(protoName))) return undefined;
  return {
    family: f.family, proto: protoName, src: f.src, dst: f.dst, replySrc: f.replySrc, replyDst: f.replyDst,
    sport: f.sport, dport: f.dport, replyPortSrc: f.replyPortSrc, replyPortDst: f.replyPortDst,
    state: f.state?.[0], mark: f.mark, status: f.status,
  };
}

/** Drop undefined fields so argv and test expectations stay small. */
export function compactFilter(f: ConntrackFilter): ConntrackFilter {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as ConntrackFilter;
}
