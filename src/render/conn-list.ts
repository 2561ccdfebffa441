// Connections a command selected, written to the output in the chosen format (list, and the
// records NDJSON streams one at a time), with the --zones/--mark-map columns when asked for.

import type { Conn } from '../model.js';
import type { Output, OutputFormat } from '../output.js';
import { connToCsv, csvHeader } from './conn-csv.js';
import {
  appendCsv, appendJson, extraCsvCells, extraCsvColumns, extraJson, extraTableCells, extraTableHead, hasExtras, type ConnExtras,
} from './conn-extras.js';
import { connToJsonLine } from './conn-json.js';
import { renderConnTable } from './conn-table.js';
import type { Palette } from './palette.js';

/**
 * One record's JSON object (no newline), with its extras when asked for (connToJsonLine, not
 * JSON.stringify: it keeps counters above 2^53 exact).
 */
export function connJsonOf(extras: ConnExtras | undefined): (c: Conn) => string {
  return hasExtras(extras)
    ? (c) => appendJson(connToJsonLine(c).slice(0, -1), extraJson(c, extras))
    : (c) => connToJsonLine(c).slice(0, -1);
}

export function writeConnList(
  out: Output, format: OutputFormat, conns: readonly Conn[], extras: ConnExtras | undefined, palette: () => Palette,
): void {
  const json = connJsonOf(extras);
  switch (format) {
    case 'json':
      out.write('[');
      conns.forEach((c, i) => out.write((i === 0 ? '\n' : ',\n') + json(c)));
      out.write(conns.length === 0 ? ']\n' : '\n]\n');
      break;
    case 'ndjson':
      for (const c of conns) out.write(json(c) + '\n');
      break;
    case 'csv':
      out.write(appendCsv(csvHeader(), extraCsvColumns(extras)));
      for (const c of conns) out.write(appendCsv(connToCsv(c), extraCsvCells(c, extras)));
      break;
    case 'table':
      out.write(renderConnTable(conns, palette(), { head: extraTableHead(extras), cells: (c) => extraTableCells(c, extras) }));
      break;
  }
}
