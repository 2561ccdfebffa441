// `ctflow list`'s output in each format, written one connection at a time, so that it can follow
// the read (--sort none, NDJSON) or a sorted store that makes each record again as it is written
// (aggregate/conn-store.ts): nothing here keeps the records. JSON is one array (`[`, records
// joined by `,\n`, `]`), NDJSON one object a line, CSV a header row then a line each, all with the
// --zones/--mark-map fields and --processes after a record's own. A record without those extras
// is written as bytes straight into the output buffer (conn-json-bytes.ts).

import type { ConnList, StoredConns } from '../aggregate/conn-store.js';
import { ConnScan, connOfScan } from '../parse/conn-bytes.js';
import type { ProcessInfo } from '../host/processes.js';
import type { Conn } from '../model.js';
import type { Output, OutputFormat } from '../output.js';
import { withColumn } from './appended-columns.js';
import { connToCsv, csvHeader } from './conn-csv.js';
import { putScanCsv } from './conn-csv-bytes.js';
import {
  appendCsv, appendJson, extraCsvCells, extraCsvColumns, extraJson, extraTableCells, extraTableHead, hasExtras, type ConnExtras,
} from './conn-extras.js';
import { jsonBytes, type JsonPut } from './conn-json-bytes.js';
import { connToJsonLine } from './conn-json.js';
import { streamConnTable, writeConnTable, type ExtraColumns } from './conn-table.js';
import type { Palette } from './palette.js';
import { processJson, processText } from './process-fields.js';
import { connServiceCell } from './service-column.js';
import { ACCOUNTING_HINT, closingCount, noRowsLine } from './table-summary.js';
import type { TableLayout } from './table-layout.js';

export interface ConnOutput {
  format: OutputFormat;
  extras: ConnExtras;
  /** --processes: each connection's processes on this host */
  processes: ((c: Conn) => readonly ProcessInfo[]) | undefined;
  /** the table's */
  palette: Palette;
  /** the table without its Service column */
  numeric: boolean;
  /** the table's width and units */
  layout: TableLayout;
  /** the host's own table (what an empty table's line says) */
  live: boolean;
}

export interface ConnWriter {
  row(c: Conn): void;
  /** a line the fast path read, written with no record made of it (JSON, NDJSON and CSV without extras) */
  scan?: ((s: ConnScan) => void) | undefined;
  /**
   * After the last row (JSON's `]`, the table's bottom, or the line said instead of an empty
   * table); `entries`: how many the read had. Returns what a table says on stderr once written.
   */
  end(entries: number): string;
}

/** A writer of connections as they come (a table measures its first rows: streamConnTable). */
export function connWriter(out: Output, o: ConnOutput): ConnWriter {
  const procs = o.processes;
  switch (o.format) {
    case 'table': {
      const columns = tableColumns(o);
      let table: ReturnType<typeof streamConnTable> | undefined;
      let shown = 0;
      let counted = false;
      return {
        row(c) {
          shown++;
          if (c.bytesTotal !== undefined) counted = true;
          (table ??= streamConnTable((t) => out.write(t), o.palette, columns, o.layout)).row(c);
        },
        end(entries) {
          if (table === undefined) out.write(noRowsLine(entries, o.live));
          else table.end();
          return tableSummary(shown, entries, counted);
        },
      };
    }
    case 'csv': {
      out.write(appendCsv(csvHeader(), [...extraCsvColumns(o.extras), ...(procs === undefined ? [] : ['process'])]));
      return {
        row: (c) => out.write(appendCsv(connToCsv(c), [...extraCsvCells(c, o.extras), ...(procs === undefined ? [] : [processText(procs(c))])])),
        // a line the fast path read, with no extra cells: its bytes straight from the scan
        scan: hasExtras(o.extras) || procs !== undefined ? undefined : (sc) => putScanCsv(out, sc, (row) => out.write(row)),
        end: () => '',
      };
    }
    case 'ndjson': {
      const json = jsonRecord(out, o);
      return { row: (c) => json.record(c, '', '\n'), scan: json.scan && ((sc) => json.scan!(sc, '', '\n')), end: () => '' };
    }
    case 'json': {
      const json = jsonRecord(out, o);
      let rows = 0;
      out.write('[');
      return {
        row: (c) => json.record(c, rows++ === 0 ? '\n' : ',\n', ''),
        scan: json.scan && ((sc) => json.scan!(sc, rows++ === 0 ? '\n' : ',\n', '')),
        end: () => {
          out.write(rows === 0 ? ']\n' : '\n]\n');
          return '';
        },
      };
    }
  }
}

/**
 * Writes every connection of `conns` in order (a table measured over all of them); `entries`: how
 * many the read had. Returns what a table says on stderr once written (tableSummary).
 */
export function writeConnList(out: Output, o: ConnOutput, conns: ConnList | StoredConns, entries: number): string {
  if (o.format === 'table') {
    if (conns.length === 0) {
      out.write(noRowsLine(entries, o.live));
      return tableSummary(0, entries, false);
    }
    // whether any row has counters, noted as the table asks for its rows (no pass of its own)
    let counted = false;
    const rows: ConnList = {
      length: conns.length,
      at(i) {
        const c = conns.at(i);
        if (c?.bytesTotal !== undefined) counted = true;
        return c;
      },
    };
    writeConnTable((t) => out.write(t), rows, o.palette, tableColumns(o), o.layout);
    return tableSummary(conns.length, entries, counted);
  }
  const w = connWriter(out, o);
  if ('record' in conns) {
    for (let i = 0; i < conns.length; i++) writeStored(w, conns.record(i)!);
  } else {
    for (let i = 0; i < conns.length; i++) w.row(conns.at(i)!);
  }
  return w.end(entries);
}

/** One record of a sorted store (a scan, or the record of a line of another shape) through `w`. */
export function writeStored(w: ConnWriter, r: ConnScan | Conn): void {
  if (!(r instanceof ConnScan)) w.row(r);
  else if (w.scan !== undefined) w.scan(r);
  else w.row(connOfScan(r));
}

/** A table's closing count as conntrack's, and the hint when no row had counters (accounting off). */
export function tableSummary(shown: number, entries: number, counted: boolean): string {
  return closingCount(shown, 'connections', entries) + (shown > 0 && !counted ? ACCOUNTING_HINT : '');
}

/**
 * One record's JSON after `before` and followed by `after`: as bytes into the output buffer when
 * it has no extras (conn-json-bytes.ts jsonBytes: from a record or straight from a scan), else
 * connToJsonLine with the extra keys appended.
 */
function jsonRecord(out: Output, o: ConnOutput): { record: JsonPut<Conn>; scan: JsonPut<ConnScan> | undefined } {
  const procs = o.processes;
  if (!hasExtras(o.extras) && procs === undefined) return jsonBytes(out, (text) => out.write(text));
  return {
    record(c, before, after) {
      const more = { ...extraJson(c, o.extras), ...(procs === undefined ? {} : { process: processJson(procs(c)) }) };
      out.write(before + appendJson(connToJsonLine(c).slice(0, -1), more) + after);
    },
    scan: undefined,
  };
}

/** The table's columns after Flags: zones and mark names, Service (unless -n), Process. */
export function tableColumns(o: Pick<ConnOutput, 'extras' | 'numeric' | 'processes'>): ExtraColumns {
  const extraColumns = { head: extraTableHead(o.extras), cells: (c: Conn) => extraTableCells(c, o.extras) };
  const serviceColumn = o.numeric ? extraColumns : withColumn(extraColumns, 'Service', connServiceCell());
  const procs = o.processes;
  return procs === undefined ? serviceColumn : withColumn(serviceColumn, 'Process', (c) => processText(procs(c)));
}

/**
 * The line said before printing more rows than 100 screens of a terminal with no --limit, or
 * undefined (not a terminal, or fewer rows).
 */
export function longOutputNotice(rows: number, terminalRows: number | undefined): string | undefined {
  const screen = terminalRows !== undefined && terminalRows > 0 ? terminalRows : 24;
  if (rows <= screen * 100) return undefined;
  return `ctflow: about to print ${rows} connections (over 100 screens); --limit N or a filter narrows them`;
}
