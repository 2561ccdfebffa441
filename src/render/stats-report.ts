// The human report of `ctflow stats`: the fill level as a bar, then small tables (cli-table3) for
// the breakdowns, the top talkers and the kernel counters. Sections with nothing to say are left
// out, so a report from a `conntrack -S` file shows only its counters.

import type { StatsReport } from '../aggregate/stats-report.js';
import type { Talker } from '../aggregate/table-stats.js';
import { compactTable as table, right } from './compact-table.js';
import { visibleWidth } from './box-table.js';
import { humanBytes, humanCount } from './human.js';
import type { Palette } from './palette.js';
import { WIDE, type TableLayout } from './table-layout.js';
import { grouped } from './table-summary.js';

const BAR_WIDTH = 30;

/** `[██████░░░░…] 21.5%` — a filled share of BAR_WIDTH cells; any non-zero fill shows one cell. */
export function fillBar(percent: number, p: Palette, width = BAR_WIDTH): string {
  const clamped = Math.max(0, Math.min(100, percent));
  let cells = Math.round((clamped / 100) * width);
  if (cells === 0 && clamped > 0) cells = 1;
  const colour = clamped >= 90 ? p.bad : clamped >= 70 ? p.warn : p.good;
  return `[${colour('█'.repeat(cells))}${p.dim('░'.repeat(width - cells))}] ${formatPercent(percent)}`;
}

export function formatPercent(percent: number): string {
  return `${percent < 10 ? percent.toFixed(3).replace(/0+$/, '').replace(/\.$/, '') : percent.toFixed(1)}%`;
}

function share(n: number, of: number | undefined): string {
  if (of === undefined || of === 0) return '';
  return `${((n / of) * 100).toFixed(1)}%`;
}

/** The most keys a zone or mark table shows; JSON keeps them all. */
export const COUNT_TABLE_ROWS = 20;

/**
 * Entries by key. A table with more keys than COUNT_TABLE_ROWS (a gateway's marks can number tens
 * of thousands) shows the keys with most entries and one row for the rest, so the report stays a
 * screenful or two; `stats --json` has every key.
 */
function countTable(title: string, record: Record<string, number>, total: number | undefined, p: Palette, layout: TableLayout): string {
  const t = table([title, 'Entries', 'Share'], p, [{ cut: 1, min: 8 }]);
  let rows = Object.entries(record);
  let rest: [number, number] | undefined;
  if (rows.length > COUNT_TABLE_ROWS) {
    // most entries first; a stable sort keeps the keys' own order among equals
    rows = [...rows].sort((a, b) => b[1] - a[1]);
    const others = rows.slice(COUNT_TABLE_ROWS);
    rest = [others.length, others.reduce((sum, [, v]) => sum + v, 0)];
    rows = rows.slice(0, COUNT_TABLE_ROWS);
  }
  for (const [k, v] of rows) t.push([k, right(v), right(share(v, total))]);
  if (rest !== undefined) t.push([p.dim(`${grouped(rest[0])} more`), right(rest[1]), right(share(rest[1], total))]);
  return t.render(layout.width);
}

function talkers(title: string, list: Talker[], p: Palette, layout: TableLayout): string {
  const t = table([title, 'Conns', 'Bytes'], p, [{ cut: 1, min: 15 }]);
  for (const x of list) t.push([p.addr(x.address), right(x.connections), right(layout.exact ? String(x.bytes) : humanBytes(x.bytes))]);
  return t.render(layout.width);
}

/** A line of words no wider than `width`: the words go on, indented, on the lines after. */
function wrapped(line: string, width: number | undefined, indent: number): string {
  if (width === undefined || visibleWidth(line) <= width) return line;
  const words = line.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur !== '' && visibleWidth(cur) + 1 + visibleWidth(w) > width) {
      lines.push(cur);
      cur = ' '.repeat(indent) + w;
    } else cur = cur === '' ? w : `${cur} ${w}`;
  }
  lines.push(cur);
  return lines.join('\n');
}

/** `layout`: the width the report fits and whether traffic is shown in exact integers. */
export function renderStatsReport(r: StatsReport, p: Palette, layout: TableLayout = WIDE): string {
  const out: string[] = [];
  const entries = r.entries;
  if (entries !== undefined || r.count !== undefined) {
    const lines: string[] = [];
    const used = r.count ?? entries ?? 0;
    lines.push(`${p.bold('Entries')}  ${used}${r.max !== undefined ? ` of ${r.max}` : ''}` +
      (r.count !== undefined && entries !== undefined && entries !== r.count ? p.dim(` (${entries} read)`) : ''));
    if (r.fill_percent !== undefined) lines.push(`${p.bold('Fill')}     ${fillBar(r.fill_percent, p)}`);
    if (r.replied_fill_percent !== undefined) {
      lines.push(`${p.bold('Replied')}  ${fillBar(r.replied_fill_percent, p)}  ${p.dim('(without UNREPLIED entries)')}`);
    }
    if (r.filter !== undefined) {
      // the kernel's figures above are the whole table; say plainly that what follows is not
      lines.push(wrapped(`${p.bold('Filtered')} ${r.matched ?? 0} of ${entries ?? 0} entries match ${r.filter}; the figures below count only these`, layout.width, 9));
    }
    if (entries !== undefined) {
      lines.push(`${p.bold('Status')}   assured ${r.status.assured}, unreplied ${r.status.unreplied}, ` +
        `offload ${r.status.offload}, hw_offload ${r.status.hw_offload}`);
      lines.push(`${p.bold('NAT')}      snat ${r.nat.snat}, dnat ${r.nat.dnat}, both ${r.nat.both}, none ${r.nat.none}`);
      if (r.bytes !== undefined) {
        const packets = r.packets ?? 0;
        lines.push(`${p.bold('Traffic')}  ${layout.exact ? `${packets} packets, ${r.bytes} bytes` : `${humanCount(packets)} packets, ${humanBytes(r.bytes)}`}`);
      }
    }
    out.push(lines.join('\n'));
  }
  // shares are of the entries counted (the matched ones with a filter)
  const counted = r.matched ?? entries;
  if (counted !== undefined && counted > 0) {
    out.push(countTable('Family', r.families, counted, p, layout));
    out.push(countTable('Protocol', r.protocols, counted, p, layout));
    const st = table(['Protocol', 'State', 'Entries', 'Share'], p);
    for (const [proto, states] of Object.entries(r.states)) {
      const protoTotal = r.protocols[proto];
      for (const [state, n] of Object.entries(states)) st.push([p.proto(proto), p.state(state), right(n), right(share(n, protoTotal))]);
    }
    if (Object.keys(r.states).length > 0) out.push(st.render(layout.width));
    if (Object.keys(r.zones).length > 0) out.push(countTable('Zone', r.zones, counted, p, layout));
    if (Object.keys(r.marks).length > 0) out.push(countTable('Mark', r.marks, counted, p, layout));
  }
  if (r.top !== undefined && counted !== undefined && counted > 0) {
    out.push(talkers('Top sources', r.top.sources_by_connections, p, layout));
    out.push(talkers('Top destinations', r.top.destinations_by_connections, p, layout));
    if (r.top.sources_by_bytes.length > 0) {
      out.push(talkers('Top sources by bytes', r.top.sources_by_bytes, p, layout));
      out.push(talkers('Top destinations by bytes', r.top.destinations_by_bytes, p, layout));
    }
  }
  if (r.kernel_counters !== undefined) {
    const names = Object.keys(r.kernel_counters);
    if (r.per_cpu !== undefined) {
      // on a narrow terminal the last CPUs' columns go first; the total stays
      const cpus = r.per_cpu.length;
      const t = table(['Counter', ...r.per_cpu.map((row) => `cpu${row.cpu}`), 'Total'], p, [{}, ...r.per_cpu.map((_, i) => ({ drop: cpus - i }))]);
      for (const name of names) t.push([name, ...r.per_cpu.map((row) => right(row[name] ?? 0)), right(r.kernel_counters[name]!)]);
      out.push(t.render(layout.width));
    } else {
      const t = table(['Kernel counter', 'Total'], p);
      for (const name of names) t.push([name, right(r.kernel_counters[name]!)]);
      out.push(t.render(layout.width));
    }
  }
  return out.join('\n\n') + '\n';
}
