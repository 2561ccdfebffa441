// One connection named exactly, as the NethServer API names it: protocol, source and destination
// address, ports for port protocols, icmp type/code/id optionally. Validation names the missing or
// bad field (exit 2) so a caller never sends conntrack a half-filled tuple.

import { usageError } from '../errors.js';
import { isPlainAddress } from '../filter/address-match.js';
import { parsePort, parseProtocol, parseZone } from '../filter/option-values.js';
import { PORT_PROTOCOLS, PROTOCOL_BY_NUMBER, type Conn } from '../model.js';
import { canonicalIPv6 } from '../parse/address.js';
import type { ConntrackFilter } from './conntrack-invocation.js';

export interface ExactFields {
  proto?: string | undefined;
  src?: string | undefined;
  dst?: string | undefined;
  sport?: string | undefined;
  dport?: string | undefined;
  icmpType?: string | undefined;
  icmpCode?: string | undefined;
  icmpId?: string | undefined;
  zone?: string | undefined;
}

export interface ExactConnection {
  proto: string;
  protonum: number;
  src: string;
  dst: string;
  sport: number | undefined;
  dport: number | undefined;
  icmpType: number | undefined;
  icmpCode: number | undefined;
  icmpId: number | undefined;
  zone: number | undefined;
}

const ICMP = new Set(['icmp', 'icmpv6']);

function address(text: string | undefined, what: string): string {
  if (text === undefined || text === '') throw usageError(`ctflow: ${what} is required to name one connection, got nothing`);
  if (!isPlainAddress(text)) {
    throw usageError(`ctflow: ${what}: one connection needs one address (no CIDR), got ${JSON.stringify(text)}`);
  }
  return text.includes(':') ? (canonicalIPv6(text) ?? text) : text;
}

function icmpValue(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  const n = /^\d{1,5}$/.test(t) ? Number(t) : NaN;
  const max = what === '--icmp-id' ? 65535 : 255;
  if (!(n <= max)) throw usageError(`ctflow: ${what}: expected a number from 0 to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** Validate the fields of one exact connection; throws a usage error naming the first bad field. */
export function parseExactConnection(f: ExactFields): ExactConnection {
  if (f.proto === undefined || f.proto === '') throw usageError('ctflow: --proto is required to name one connection, got nothing');
  const protonum = parseProtocol(f.proto, '--proto');
  const proto = PROTOCOL_BY_NUMBER.get(protonum) ?? String(protonum);
  const src = address(f.src, '--src');
  const dst = address(f.dst, '--dst');
  if (src.includes(':') !== dst.includes(':')) {
    throw usageError(`ctflow: --dst: must be the same family as --src (${src}), got ${JSON.stringify(f.dst)}`);
  }
  if (proto === 'icmp' && src.includes(':')) throw usageError(`ctflow: --proto: icmp is IPv4, use icmpv6 for ${src}, got "icmp"`);
  if (proto === 'icmpv6' && !src.includes(':')) throw usageError(`ctflow: --proto: icmpv6 is IPv6, use icmp for ${src}, got "icmpv6"`);
  let sport: number | undefined;
  let dport: number | undefined;
  if (PORT_PROTOCOLS.has(proto)) {
    if (f.sport === undefined) throw usageError(`ctflow: --sport is required for ${proto}, got nothing`);
    if (f.dport === undefined) throw usageError(`ctflow: --dport is required for ${proto}, got nothing`);
    sport = parsePort(f.sport, '--sport');
    dport = parsePort(f.dport, '--dport');
  } else {
    if (f.sport !== undefined) throw usageError(`ctflow: --sport: ${proto} has no ports, got ${JSON.stringify(f.sport)}`);
    if (f.dport !== undefined) throw usageError(`ctflow: --dport: ${proto} has no ports, got ${JSON.stringify(f.dport)}`);
  }
  const icmp = ICMP.has(proto);
  for (const [value, what] of [[f.icmpType, '--icmp-type'], [f.icmpCode, '--icmp-code'], [f.icmpId, '--icmp-id']] as const) {
    if (value !== undefined && !icmp) throw usageError(`ctflow: ${what}: only for icmp and icmpv6, got --proto ${proto}`);
  }
  return {
    proto, protonum, src, dst, sport, dport,
    icmpType: icmpValue(f.icmpType, '--icmp-type'),
    icmpCode: icmpValue(f.icmpCode, '--icmp-code'),
    icmpId: icmpValue(f.icmpId, '--icmp-id'),
    zone: f.zone === undefined ? undefined : parseZone(f.zone, '--zone'),
  };
}

/** The conntrack filter that names this connection (for `conntrack -D`/`-U` argv). */
export function exactFilter(e: ExactConnection): ConntrackFilter {
  return {
    proto: e.proto, src: e.src, dst: e.dst, sport: e.sport, dport: e.dport,
    icmpType: e.icmpType, icmpCode: e.icmpCode, icmpId: e.icmpId, zone: e.zone,
  };
}

/** ctflow's own test for the same connection, so dry run and report agree with conntrack. */
export function exactPredicate(e: ExactConnection): (c: Conn) => boolean {
  return (c) => {
    const o = c.original;
    return c.protonum === e.protonum && o.src === e.src && o.dst === e.dst
      && (e.sport === undefined || o.sport === e.sport)
      && (e.dport === undefined || o.dport === e.dport)
      && (e.icmpType === undefined || o.type === e.icmpType)
      && (e.icmpCode === undefined || o.code === e.icmpCode)
      && (e.icmpId === undefined || o.id === e.icmpId)
      // conntrack -w Z compares the entry's own zone (measured: -w 0 also takes an entry whose
      // zone is directional, zone-orig=3, and -w 3 does not)
      && (e.zone === undefined || c.zone === e.zone);
  };
}
