// The optional columns a connection view gains from --zones and --mark-map: the zone of each end
// and the named fields of the mark. One place decides their JSON keys, table head and CSV
// columns, so list (and anything else showing connections) adds them the same way.

import type { Conn } from '../model.js';
import { markNames, type MarkMap } from '../host/mark-map.js';
import type { Zones } from '../host/zones.js';
import { terminalText } from './terminal-text.js';

export interface ConnExtras {
  zones?: Zones | undefined;
  markMap?: MarkMap | undefined;
}

export interface ExtraJson {
  src_zone?: string;
  dst_zone?: string;
  /** field name → shown value, in mark-map order */
  mark_names?: Record<string, string>;
}

export function hasExtras(x: ConnExtras | undefined): x is ConnExtras {
  return x !== undefined && (x.zones !== undefined || x.markMap !== undefined);
}

/** The JSON keys to add to one connection's object (none when nothing was asked). */
export function extraJson(c: Conn, x: ConnExtras | undefined): ExtraJson {
  const out: ExtraJson = {};
  if (x?.zones !== undefined) {
    out.src_zone = x.zones.zoneOf(c.original.src);
    out.dst_zone = x.zones.zoneOf(c.original.dst);
  }
  if (x?.markMap !== undefined) out.mark_names = markNames(x.markMap, c.mark);
  return out;
}

/** Table head cells for the extra columns. */
export function extraTableHead(x: ConnExtras | undefined): string[] {
  const head: string[] = [];
  if (x?.zones !== undefined) head.push('Zones');
  if (x?.markMap !== undefined) head.push('Mark');
  return head;
}

/** Table cells: "lan → wan" and "provider=wan1 prio=high" (unset fields left out). */
export function extraTableCells(c: Conn, x: ConnExtras | undefined): string[] {
  const cells: string[] = [];
  if (x?.zones !== undefined) cells.push(`${x.zones.zoneOf(c.original.src)} → ${x.zones.zoneOf(c.original.dst)}`);
  if (x?.markMap !== undefined) {
    // a mark-map name is any JSON string: shown escaped, as text from the table is
    cells.push(Object.entries(markNames(x.markMap, c.mark)).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${terminalText(v)}`).join(' '));
  }
  return cells;
}

/** CSV header names: src_zone, dst_zone, then each mark field's name. */
export function extraCsvColumns(x: ConnExtras | undefined): string[] {
  const cols: string[] = [];
  if (x?.zones !== undefined) cols.push('src_zone', 'dst_zone');
  if (x?.markMap !== undefined) for (const f of x.markMap.fields) cols.push(f.name);
  return cols;
}

export function extraCsvCells(c: Conn, x: ConnExtras | undefined): string[] {
  const cells: string[] = [];
  if (x?.zones !== undefined) cells.push(x.zones.zoneOf(c.original.src), x.zones.zoneOf(c.original.dst));
  if (x?.markMap !== undefined) cells.push(...Object.values(markNames(x.markMap, c.mark)));
  return cells.map((s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s));
}

/** A JSON object's text with the extra keys appended (after its own, as a spread would put them). */
export function appendJson(object: string, keys: object): string {
  const more = JSON.stringify(keys);
  return more === '{}' ? object : `${object.slice(0, -1)},${more.slice(1)}`;
}

/** A CSV line (ending in \n) with the extra cells appended. */
export function appendCsv(line: string, cells: readonly string[]): string {
  return cells.length === 0 ? line : `${line.slice(0, -1)},${cells.join(',')}\n`;
}
