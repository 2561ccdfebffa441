// The human table of connections: protocol, state, original src → dst, the reply when NAT'ed,
// packets, bytes (human units), timeout, flags. box-table.ts for layout (cli-table3's look in
// linear time: cli-table3 took 6 s for 5,000 rows), the palette for colour.

import type { Conn } from '../model.js';
import { renderBoxTable, type BoxCell } from './box-table.js';
import { endpoint, tupleDetail } from './endpoint.js';
import { humanBytes, humanCount, humanDuration } from './human.js';
import type { Palette } from './palette.js';
import { terminalText } from './terminal-text.js';

export function connFlags(c: Conn): string {
  const f: string[] = [];
  if (c.assured) f.push('A');
  if (c.unreplied) f.push('U');
  if (c.offload) f.push('O');
  if (c.hwOffload) f.push('H');
  if (c.mark !== 0) f.push(`m=${c.mark}`);
  if (c.zone !== 0) f.push(`z=${c.zone}`);
  if (c.original.zone !== undefined) f.push(`zo=${c.original.zone}`);
  if (c.reply.zone !== undefined) f.push(`zr=${c.reply.zone}`);
  // text from the table: its control characters are shown escaped, never sent to the terminal
  if (c.helper !== undefined) f.push(`helper=${terminalText(c.helper)}`);
  if (c.labels !== undefined && c.labels.length > 0) f.push(`labels=${terminalText(c.labels.join(','))}`);
  return f.join(' ');
}

/** Columns a caller appends after Flags (zones, mark names: render/conn-extras.ts). */
export interface ExtraColumns {
  head: string[];
  cells: (c: Conn) => string[];
}

export function renderConnTable(conns: readonly Conn[], p: Palette, extra?: ExtraColumns): string {
  const head = ['Proto', 'State', 'Source', '', 'Destination', 'Reply (NAT)', 'Pkts', 'Bytes', 'Timeout', 'Flags', ...(extra?.head ?? [])].map((h) =>
    p.header(h),
  );
  const rows: BoxCell[][] = [];
  for (const c of conns) {
    const o = c.original;
    const detail = tupleDetail(o);
    const reply = c.nat !== undefined ? p.nat(`${endpoint(c.reply.src, c.reply.sport)} → ${endpoint(c.reply.dst, c.reply.dport)}`) : '';
    rows.push([
      p.proto(c.protocol),
      c.state === undefined ? '' : p.state(c.state),
      endpoint(o.src, o.sport),
      '→',
      endpoint(o.dst, o.dport) + (detail === '' ? '' : ` ${p.dim(detail)}`),
      reply,
      { hAlign: 'right', content: humanCount(c.packetsTotal) },
      { hAlign: 'right', content: humanBytes(c.bytesTotal) },
      { hAlign: 'right', content: humanDuration(c.timeout) },
      p.dim(connFlags(c)),
      ...(extra === undefined || extra.head.length === 0 ? [] : extra.cells(c)),
    ]);
  }
  return renderBoxTable(head, rows);
}
