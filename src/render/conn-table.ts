// The human table of connections: protocol, state, original src → dst, the reply when NAT'ed,
// packets, bytes (human units), timeout, flags. box-table.ts for layout (cli-table3's look in
// linear time: cli-table3 took 6 s for 5,000 rows), the palette for colour.

import type { Conn } from '../model.js';
import type { ConnList } from '../aggregate/conn-store.js';
import { boxLines, fitBoxTable, measureBoxTable, writeBoxTable, type BoxColumn, type BoxLines, type BoxRows } from './box-table.js';
import { endpoint, tupleDetail } from './endpoint.js';
import { humanBytes, humanCount, humanDuration } from './human.js';
import type { Palette } from './palette.js';
import { WIDE, type TableLayout } from './table-layout.js';
import { terminalText } from './terminal-text.js';

/** What list's Flags column says (list --help and docs/reference.md print it): a help section of its own. */
export const FLAG_CODES = [
  'Flags column:',
  '  A assured (traffic seen both ways; kept when the table is full), U unreplied (no reply yet),',
  '  O offloaded to the flowtable, H offloaded to hardware, m=MARK connmark, z=ZONE zone,',
  '  zo=/zr= zone of the original/reply direction, helper=NAME an ALG (ftp, sip…), labels=… connlabels',
].join('\n');

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

const HEAD = ['Proto', 'State', 'Source', '', 'Destination', 'Reply (NAT)', 'Pkts', 'Bytes', 'Timeout', 'Flags'];
// how the columns give way on a narrow terminal (box-table.ts fitBoxTable): extra columns, Flags,
// Timeout, the NAT reply, the arrow and Pkts go first; then the state, then the addresses are cut
const COLUMNS: readonly Omit<BoxColumn, 'head'>[] = [
  {},
  { cut: 1, min: 7 },
  { cut: 2, min: 12 },
  { drop: 4 },
  { cut: 2, min: 12 },
  { drop: 3 },
  { right: true, drop: 5 },
  { right: true },
  { right: true, drop: 2 },
  { drop: 1 },
];

/** The table's columns, and its rows over a list of connections. */
function connTable(p: Palette, extra: ExtraColumns | undefined, layout: TableLayout): { columns: BoxColumn[]; rows(conns: ConnList): BoxRows } {
  const more = extra === undefined || extra.head.length === 0 ? undefined : extra;
  const columns: BoxColumn[] = [
    ...HEAD.map((h, i) => ({ ...COLUMNS[i], head: p.header(h) })),
    ...(more?.head ?? []).map((h) => ({ head: p.header(h), drop: 0 })),
  ];
  const packets = layout.exact ? (n: number | undefined) => (n === undefined ? '-' : String(n)) : humanCount;
  const bytes = layout.exact ? packets : humanBytes;
  const rows = (conns: ConnList): BoxRows => ({
    count: conns.length,
    cells(i, into) {
      const c = conns.at(i)!;
      const o = c.original;
      const detail = tupleDetail(o);
      into[0] = p.proto(c.protocol);
      into[1] = c.state === undefined ? '' : p.state(c.state);
      into[2] = endpoint(o.src, o.sport);
      into[3] = '→';
      into[4] = endpoint(o.dst, o.dport) + (detail === '' ? '' : ` ${p.dim(detail)}`);
      into[5] = c.nat !== undefined ? p.nat(`${endpoint(c.reply.src, c.reply.sport)} → ${endpoint(c.reply.dst, c.reply.dport)}`) : '';
      into[6] = packets(c.packetsTotal);
      into[7] = bytes(c.bytesTotal);
      into[8] = humanDuration(c.timeout);
      into[9] = p.dim(connFlags(c));
      if (more !== undefined) {
        const cells = more.cells(c);
        for (let k = 0; k < cells.length; k++) into[HEAD.length + k] = cells[k]!;
      }
    },
  });
  return { columns, rows };
}

/**
 * The table's columns, and the cells of one connection at a time: for a table laid out in parts
 * (scan/conn-table-job.ts measures and writes a sorted list's rows on every core).
 */
export function connTableCells(p: Palette, extra: ExtraColumns | undefined, layout: TableLayout): { columns: BoxColumn[]; cells(c: Conn, into: string[]): void } {
  const { columns, rows } = connTable(p, extra, layout);
  const one: Conn[] = [];
  const row = rows(one);
  return {
    columns,
    cells(c, into) {
      one[0] = c;
      row.cells(0, into);
    },
  };
}

/**
 * Writes the table line by line: measured in one pass over the connections, written in a second
 * (`conns` may make each record as it is asked for: list's sorted store).
 */
export function writeConnTable(write: (text: string) => void, conns: ConnList, p: Palette, extra?: ExtraColumns, layout: TableLayout = WIDE): void {
  const { columns, rows } = connTable(p, extra, layout);
  const all = rows(conns);
  writeBoxTable(write, columns, all, fitBoxTable(columns, measureBoxTable(columns, all), layout.width));
}

/** Rows of a streamed table (list --sort none) kept to measure its columns before the first is written. */
export const TABLE_SAMPLE = 1000;

/**
 * The table written as connections arrive: its column widths are those of the first `sample`
 * rows (so a table of no more rows is writeConnTable's, to the byte), fitted to the terminal; a
 * later cell wider than its column is cut to it when the table must fit a width, and widens its
 * own row only under --wide. Measuring every row first would keep the whole table, which is what
 * streaming avoids.
 */
export function streamConnTable(
  write: (text: string) => void, p: Palette, extra?: ExtraColumns, layout: TableLayout = WIDE, sample = TABLE_SAMPLE,
): { row(c: Conn): void; end(): void } {
  const { columns, rows } = connTable(p, extra, layout);
  const first: Conn[] = [];
  const one: Conn[] = [];
  const oneRow = rows(one);
  const into: string[] = new Array<string>(columns.length).fill('');
  let lines: BoxLines | undefined;
  const start = (): BoxLines => {
    const kept = rows(first);
    const l = boxLines(columns, fitBoxTable(columns, measureBoxTable(columns, kept), layout.width), layout.width !== undefined);
    write(l.top);
    for (let i = 0; i < kept.count; i++) {
      kept.cells(i, into);
      write(l.row(into));
    }
    first.length = 0;
    return l;
  };
  return {
    row(c) {
      if (lines === undefined) {
        first.push(c);
        if (first.length >= sample) lines = start();
        return;
      }
      one[0] = c;
      oneRow.cells(0, into);
      write(lines.row(into));
    },
    end() {
      write((lines ??= start()).bottom);
    },
  };
}

/** The table as one string (delete/update's preview, tests). */
export function renderConnTable(conns: readonly Conn[], p: Palette, extra?: ExtraColumns, layout: TableLayout = WIDE): string {
  let out = '';
  writeConnTable((t) => (out += t), conns, p, extra, layout);
  return out;
}
