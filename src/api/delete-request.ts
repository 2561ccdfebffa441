// `ctflow api delete` requests: flush, or one connection named by its exact tuple.
//   {"action":"flush"}
//   {"action":"connection","protocol":"tcp","src":"10.0.0.212","dst":"1.2.3.4","sport":46286,"dport":443}
// protocol, src and dst are required; src/dst are single addresses (no CIDR) of one family; ports
// are required for port protocols (tcp, udp, udplite, sctp, dccp) and ignored for the others —
// still checked when given, so garbage never passes silently.

import { isPlainAddress } from '../filter/address-match.js';
import { PORT_PROTOCOLS } from '../model.js';
import { canonicalIPv6 } from '../parse/address.js';
import { checkProtocol } from './read-request.js';
import { checkAction, invalid, portValue, unknownFields, type Checked } from './request.js';

export const DELETE_ACTIONS = ['flush', 'connection'] as const;
export type DeleteAction = (typeof DELETE_ACTIONS)[number];

export interface ConnectionTuple {
  protocol: string;
  src: string;
  dst: string;
  /** set for port protocols only */
  sport: number | undefined;
  dport: number | undefined;
}

export type DeleteRequest = { action: 'flush' } | { action: 'connection'; tuple: ConnectionTuple };

const ALLOWED: Record<DeleteAction, readonly string[]> = {
  flush: [],
  connection: ['protocol', 'src', 'dst', 'sport', 'dport'],
};

function address(v: unknown): string | undefined {
  if (typeof v !== 'string' || !isPlainAddress(v)) return undefined;
  return v.includes(':') ? canonicalIPv6(v) : v;
}

export function validateDeleteRequest(body: Record<string, unknown>): Checked<DeleteRequest> {
  const action = checkAction(body, DELETE_ACTIONS);
  if (!action.ok) return action;
  const bad = unknownFields(body, ALLOWED[action.value]);
  if (action.value === 'flush') return bad.length > 0 ? { ok: false, attributes: bad } : { ok: true, value: { action: 'flush' } };

  const protocol = checkProtocol(body.protocol, bad, { required: true });
  const ends: Record<'src' | 'dst', string | undefined> = { src: undefined, dst: undefined };
  for (const key of ['src', 'dst'] as const) {
    const v = body[key];
    if (v === undefined || v === '') bad.push(invalid(key, v ?? '', 'required'));
    else if ((ends[key] = address(v)) === undefined) bad.push(invalid(key, v, 'invalid_ip'));
  }
  const { src, dst } = ends;
  if (src !== undefined && dst !== undefined && src.includes(':') !== dst.includes(':')) {
    bad.push(invalid('dst', body.dst, 'family_mismatch'));
  }
  const v6 = (src ?? dst)?.includes(':');
  if (protocol !== undefined && v6 !== undefined && ((protocol.name === 'icmp' && v6) || (protocol.name === 'icmpv6' && !v6))) {
    bad.push(invalid('protocol', body.protocol, 'family_mismatch'));
  }
  const ports = protocol !== undefined && PORT_PROTOCOLS.has(protocol.name);
  const portOf = (key: 'sport' | 'dport'): number | undefined => {
    const v = body[key];
    if (v === undefined || v === '') {
      if (ports) bad.push(invalid(key, v ?? '', 'required'));
      return undefined;
    }
    const n = portValue(v);
    if (n === undefined) bad.push(invalid(key, v, 'invalid_port'));
    return ports ? n : undefined;
  };
  const sport = portOf('sport');
  const dport = portOf('dport');
  if (bad.length > 0 || protocol === undefined || src === undefined || dst === undefined) return { ok: false, attributes: bad };
  return { ok: true, value: { action: 'connection', tuple: { protocol: protocol.name, src, dst, sport, dport } } };
}
