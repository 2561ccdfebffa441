// CSV of connections (RFC 4180 quoting), one header row, flat columns for spreadsheets and cron.

import type { Conn } from '../model.js';

export const CSV_COLUMNS = [
  'family', 'protocol', 'state', 'timeout', 'src', 'dst', 'sport', 'dport', 'packets', 'bytes',
  'reply_src', 'reply_dst', 'reply_sport', 'reply_dport', 'reply_packets', 'reply_bytes',
  'assured', 'unreplied', 'offload', 'mark', 'zone', 'nat', 'packets_total', 'bytes_total',
] as const;

function cell(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

export function connToCsv(c: Conn): string {
  const o = c.original;
  const r = c.reply;
  // counters above 2^53 − 1 as their exact digits
  const x = c.exactCounters;
  return [
    c.family, c.protocol, c.state, c.timeout, o.src, o.dst, o.sport ?? o.type, o.dport ?? o.code, x?.originalPackets ?? o.packets,
    x?.originalBytes ?? o.bytes, r.src, r.dst, r.sport ?? r.type, r.dport ?? r.code, x?.replyPackets ?? r.packets, x?.replyBytes ?? r.bytes,
    c.assured, c.unreplied, c.offload, c.mark, c.zone, c.nat, x?.packetsTotal ?? c.packetsTotal, x?.bytesTotal ?? c.bytesTotal,
  ].map(cell).join(',') + '\n';
}
