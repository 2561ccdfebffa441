// The host flows table (box-table.ts: cli-table3's look in linear time), lsconntrack's layout plus
// a protocol column:
//   Proto  Local Address:Port  <-->  Peer Address:Port  Conns  Inpkts  Inbytes  Outpkts  Outbytes
// Arrows: --> active (this host connects out), <-- passive (a peer connects in), <-> local
// (both ends are this host), ==> forward (routed through; "→ target" when DNAT rewrote it).
// Counters are exact numbers (scripts parse this table too); "-" when no connection of the flow
// carried counters (nf_conntrack_acct=0).

import type { Direction, FlowPort, HostFlow } from '../aggregate/host-flows.js';
import type { Family } from '../model.js';
import { renderBoxTable, type BoxCell } from './box-table.js';
import type { Palette } from './palette.js';
import { terminalText } from './terminal-text.js';

export const ARROWS: Readonly<Record<Direction, string>> = {
  active: '-->',
  passive: '<--',
  local: '<->',
  forward: '==>',
};

const ICMP_TYPES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  icmp: { 0: 'echo-reply', 8: 'echo-request', 13: 'timestamp-request', 14: 'timestamp-reply', 15: 'info-request', 17: 'mask-request' },
  icmpv6: { 128: 'echo-request', 129: 'echo-reply', 139: 'node-info-query' },
};

/** The text after "addr:" for one side: the port, "many", an ICMP type name, a GRE key. */
export function portText(protocol: string, port: FlowPort): string | undefined {
  if (port === undefined) return undefined;
  if (port === 'many') return 'many';
  const icmp = ICMP_TYPES[protocol];
  if (icmp) return icmp[port] ?? `type-${port}`;
  if (protocol === 'gre') return `key-0x${port.toString(16)}`;
  return String(port);
}

/**
 * The protocol as the Proto column shows it: `tcp6`, `udp6`, … for IPv6 (as netstat and ss do),
 * the name alone for IPv4 and for names that already say v6 (`icmpv6`). top's frames use it too.
 */
export function protocolLabel(protocol: string, family: Family): string {
  return family === 'ipv6' && !protocol.endsWith('v6') ? `${protocol}6` : protocol;
}

/** addr:port, [v6]:port, or the address alone for protocols without ports. */
export function flowEndpoint(protocol: string, addr: string, port: FlowPort, name?: string): string {
  const text = portText(protocol, port);
  const host = name ?? addr;
  if (text === undefined) return host;
  return `${host.indexOf(':') >= 0 ? `[${host}]` : host}:${text}`;
}

/** Columns a caller appends after Outbytes (flows --zones). */
export interface ExtraFlowColumns {
  head: string[];
  cells: (f: HostFlow) => string[];
}

export function renderFlowsTable(
  flows: readonly HostFlow[],
  p: Palette,
  names?: ReadonlyMap<string, string>,
  extra?: ExtraFlowColumns,
): string {
  const head = ['Proto', 'Local Address:Port', '<-->', 'Peer Address:Port', 'Conns', 'Inpkts', 'Inbytes', 'Outpkts', 'Outbytes', ...(extra?.head ?? [])].map(
    (h) => p.header(h),
  );
  const rows: BoxCell[][] = [];
  const right = (content: string): { hAlign: 'right'; content: string } => ({ hAlign: 'right', content });
  for (const f of flows) {
    const counted = f.counted > 0;
    const num = (n: number): string => (counted ? String(n) : '-');
    // a reverse-DNS name is the resolver's text: shown escaped, as text from the table is
    const name = names?.get(f.peer.addr);
    let peer = flowEndpoint(f.protocol, f.peer.addr, f.peer.port, name === undefined ? undefined : terminalText(name));
    if (f.natTarget) peer += p.nat(` → ${flowEndpoint(f.protocol, f.natTarget.addr, f.natTarget.port)}`);
    rows.push([
      p.proto(protocolLabel(f.protocol, f.family)),
      flowEndpoint(f.protocol, f.local.addr, f.local.port),
      p.bold(ARROWS[f.direction]),
      peer,
      right(String(f.connections)),
      right(num(f.inPackets)),
      right(num(f.inBytes)),
      right(num(f.outPackets)),
      right(num(f.outBytes)),
      ...(extra?.cells(f) ?? []),
    ]);
  }
  return renderBoxTable(head, rows);
}
