// nat-owner's answer: a table (one row per mapping) or a JSON array (as list --json: one object a
// line). The endpoint text is endpoint.ts's, so IPv6 shows as [addr]:port.

import type { NatOwner } from '../aggregate/nat-owner.js';
import { renderBoxTable } from './box-table.js';
import { endpoint } from './endpoint.js';
import { protocolLabel } from './flows-table.js';
import type { Palette } from './palette.js';

export function renderNatOwners(owners: readonly NatOwner[], p: Palette): string {
  const head = ['Proto', 'NAT', 'Public', 'Inside', 'Peer', 'State'].map((h) => p.header(h));
  return renderBoxTable(head, owners.map((o) => [
    p.proto(protocolLabel(o.protocol, o.family === 'ipv6' ? 'ipv6' : 'ipv4')),
    p.nat(o.nat),
    endpoint(o.public.addr, o.public.port),
    p.bold(endpoint(o.inside.addr, o.inside.port)),
    endpoint(o.peer.addr, o.peer.port),
    o.state === null ? '' : p.state(o.state),
  ]));
}

export function natOwnersJson(owners: readonly NatOwner[]): string {
  return owners.length === 0 ? '[]\n' : `[\n${owners.map((o) => JSON.stringify(o)).join(',\n')}\n]\n`;
}
