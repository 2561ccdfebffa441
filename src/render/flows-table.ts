// The host flows table (box-table.ts: cli-table3's look in linear time), lsconntrack's layout plus
// a protocol column:
//   Proto  Local or client  <-->  Peer or server  Conns  Inpkts  Inbytes  Outpkts  Outbytes
// Arrows: --> active (this host connects out), <-- passive (a peer connects in), <-> local
// (both ends are this host), ==> forward (routed through; "→ target" when DNAT rewrote it).
// A forwarded row has no local side: its left column is the client, its right one the server,
// so the headings (lsconntrack's "Local Address:Port", "Peer Address:Port") say both.
// Counters for people (1.2 MiB, 3.4k), exact with --exact; "-" when no connection of the flow
// carried counters (nf_conntrack_acct=0). The table fits the terminal (table-layout.ts).

import type { Direction, FlowPort, HostFlow } from '../aggregate/host-flows.js';
import type { Family } from '../model.js';
import { boxTableWidth, fitBoxTable, measureBoxTable, visibleWidth, writeBoxTable, type BoxColumn, type BoxRows } from './box-table.js';
import { humanBytes, humanCount } from './human.js';
import type { Palette } from './palette.js';
import { WIDE, type TableLayout } from './table-layout.js';
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

/** The flows a table shows, in order; `flow(i)` may return one reused view. */
export interface FlowRows {
  count: number;
  flow(i: number): HostFlow;
}

// how the columns give way on a narrow terminal (box-table.ts fitBoxTable): extra columns and the
// packet counts go first, then Conns; then the local side is cut, to no less than a dotted quad
// and its ~ (LOCAL_MIN); then the peer's NAT target (it stands at the end of the cell), never the
// peer itself (its min is set from the rows); then the byte counts go; only then is the local side
// cut further (LOCAL_LAST)
const LOCAL_MIN = 16;
const LOCAL_LAST = 8;
/** the widest a peer may be and still be kept whole (an IPv6 address, its port and the ~) */
const PEER_WHOLE_MAX = 48;
const COLUMNS: readonly Omit<BoxColumn, 'head'>[] = [
  {},
  { short: 'Loc/cli', cut: 1, min: LOCAL_MIN },
  {},
  { short: 'Peer/srv', cut: 2, min: 15 },
  { right: true, drop: 3 },
  { right: true, drop: 1 },
  { right: true },
  { right: true, drop: 2 },
  { right: true },
];
const HEAD = ['Proto', 'Local or client', '<-->', 'Peer or server', 'Conns', 'Inpkts', 'Inbytes', 'Outpkts', 'Outbytes'];

/** Writes the table line by line: measured in one pass over the flows, written in a second. */
export function writeFlowsTable(
  write: (text: string) => void,
  flows: FlowRows,
  p: Palette,
  names?: ReadonlyMap<string, string>,
  extra?: ExtraFlowColumns,
  layout: TableLayout = WIDE,
): void {
  const columns: BoxColumn[] = [
    ...HEAD.map((h, i) => ({ ...COLUMNS[i], head: p.header(h), short: COLUMNS[i]!.short === undefined ? undefined : p.header(COLUMNS[i]!.short!) })),
    ...(extra?.head ?? []).map((h) => ({ head: p.header(h), drop: 0 })),
  ];
  const packets = layout.exact ? String : humanCount;
  const bytes = layout.exact ? String : humanBytes;
  /** the widest peer without its NAT target, found by the measuring pass */
  let peerWidth = 0;
  const rows: BoxRows = {
    count: flows.count,
    cells(i, into) {
      const f = flows.flow(i);
      const counted = f.counted > 0;
      // a reverse-DNS name is the resolver's text: shown escaped, as text from the table is
      const name = names?.get(f.peer.addr);
      let peer = flowEndpoint(f.protocol, f.peer.addr, f.peer.port, name === undefined ? undefined : terminalText(name));
      peerWidth = Math.max(peerWidth, visibleWidth(peer));
      if (f.natTarget) peer += p.nat(` → ${flowEndpoint(f.protocol, f.natTarget.addr, f.natTarget.port)}`);
      into[0] = p.proto(protocolLabel(f.protocol, f.family));
      into[1] = flowEndpoint(f.protocol, f.local.addr, f.local.port);
      into[2] = p.bold(ARROWS[f.direction]);
      into[3] = peer;
      into[4] = packets(f.connections);
      into[5] = counted ? packets(f.inPackets) : '-';
      into[6] = counted ? bytes(f.inBytes) : '-';
      into[7] = counted ? packets(f.outPackets) : '-';
      into[8] = counted ? bytes(f.outBytes) : '-';
      if (extra !== undefined) {
        const more = extra.cells(f);
        for (let k = 0; k < more.length; k++) into[HEAD.length + k] = more[k]!;
      }
    },
  };
  const measured = measureBoxTable(columns, rows);
  // the peer stays whole: a cut leaves it and a ~ (the NAT target after it goes first)
  columns[3]!.min = Math.max(columns[3]!.min!, Math.min(peerWidth + 1, PEER_WHOLE_MAX));
  let widths = fitBoxTable(columns, measured, layout.width);
  if (layout.width !== undefined && boxTableWidth(widths) > layout.width) {
    // still too wide with the peers whole: a byte count goes (Outbytes, then Inbytes too) before
    // the local side is cut below a whole address: who talks to whom matters more than how much.
    // (A negative drop goes before the others; fitBoxTable drops before it cuts.)
    for (const byteColumn of [8, 6]) {
      columns[byteColumn] = { ...columns[byteColumn]!, drop: -1 };
      widths = fitBoxTable(columns, measured, layout.width);
      if (boxTableWidth(widths) <= layout.width) break;
    }
  }
  if (layout.width !== undefined && boxTableWidth(widths) > layout.width) {
    // and then the local side gives way further
    columns[1]!.min = LOCAL_LAST;
    widths = fitBoxTable(columns, measured, layout.width);
  }
  writeBoxTable(write, columns, rows, widths);
}

/** The table as one string (tests, small tables). */
export function renderFlowsTable(
  flows: readonly HostFlow[],
  p: Palette,
  names?: ReadonlyMap<string, string>,
  extra?: ExtraFlowColumns,
  layout: TableLayout = WIDE,
): string {
  let out = '';
  writeFlowsTable((t) => (out += t), { count: flows.length, flow: (i) => flows[i]! }, p, names, extra, layout);
  return out;
}
