// `ctflow list`: connections after filters, sorted (NethServer's default order, or --sort),
// limited with a bounded heap, rendered as a table, JSON, NDJSON or CSV.

import { Command } from 'commander';
import { TopK } from '../aggregate/top-k.js';
import { connOrder, SORT_KEYS } from '../aggregate/conn-order.js';
import { compileFilter } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { createOutput } from '../output.js';
import { connToCsv, csvHeader } from '../render/conn-csv.js';
import {
  appendCsv, appendJson, extraCsvCells, extraCsvColumns, extraJson, extraTableCells, extraTableHead, hasExtras,
} from '../render/conn-extras.js';
import { connToJsonLine } from '../render/conn-json.js';
import { FLAG_CODES, writeConnTable } from '../render/conn-table.js';
import { connService } from '../render/service-column.js';
import { withColumn } from '../render/appended-columns.js';
import { ACCOUNTING_HINT, closingCount, noRowsLine } from '../render/table-summary.js';
import { isLiveTable } from '../source/open-source.js';
import { stdoutPalette } from '../render/palette.js';
import {
  addFilterOptions, addOutputOptions, addSourceOptions, filterFrom, outputFrom, sourceFrom,
  type FilterFlags, type OutputFlags, type SourceFlags,
} from './options.js';
import { addTableOptions, tableLayoutFrom, type TableFlags } from './table-options.js';
import { listJob } from '../scan/list-job.js';
import { addProcessesOption, connProcessLookup, processesFrom, type ProcessFlags } from './process-option.js';
import { processJson, processText } from '../render/process-fields.js';
import { addExamples, inGroup, OUTPUT } from './help-groups.js';
import { addOrderOptions, limitFrom, parseSort } from './order-options.js';
import { scanJob, scanTable } from '../scan/read.js';
import { addMarkMapOption, addZoneFilterOptions, addZonesOption, extrasFrom, withZoneFilter, type ZoneFlags } from './zone-options.js';

interface ListFlags extends SourceFlags, FilterFlags, OutputFlags, ZoneFlags, ProcessFlags, TableFlags {
  sort?: string;
  reverse?: boolean;
  limit?: string;
  numeric?: boolean;
}

export function listCommand(): Command {
  const cmd = new Command('list')
    .alias('ls')
    .description('list connections, filtered and sorted (default: most bytes first, else longest timeout)');
  addSourceOptions(cmd);
  addFilterOptions(cmd);
  addZoneFilterOptions(cmd);
  addOrderOptions(cmd, { keys: SORT_KEYS, sortDefault: 'bytes, then timeout', rows: 'connections', limitDefault: 'all' });
  addOutputOptions(cmd);
  inGroup(cmd, OUTPUT, (c) => c.option('-n, --numeric', 'table without the Service column (ports as numbers only, as ss -n)'));
  addTableOptions(cmd);
  addZonesOption(cmd);
  addMarkMapOption(cmd);
  addProcessesOption(cmd);
  // what the Flags column's codes mean, after the options and before the examples
  cmd.addHelpText('after', `\n${FLAG_CODES}`);
  addExamples(cmd, [
    { what: 'established TCP connections to port 443, most bytes first', args: 'list -p tcp --state ESTABLISHED --dport 443' },
    { what: 'the 20 connections closest to expiring', args: 'list --sort timeout --limit 20' },
    { what: 'every NAT\'ed connection from 10.0.0.0/8 as one JSON object per line', args: 'list --nat -s 10.0.0.0/8 --ndjson' },
  ]);
  return cmd.action(async (flags: ListFlags) => runList(flags));
}

async function runList(flags: ListFlags): Promise<void> {
  const source = sourceFrom(flags);
  const extras = await extrasFrom(flags);
  const filterOptions = filterFrom(flags);
  const baseFilter = compileFilter(filterOptions);
  const filter = withZoneFilter(baseFilter, flags, extras.zones);
  // --processes: every socket's process found once, before the table is read (process-option.ts)
  const procs = processesFrom(flags, source) ? await connProcessLookup() : undefined;
  const procJson = (c: Conn): object => (procs === undefined ? {} : { process: processJson(procs(c)) });
  // without --zones/--mark-map columns, zone filters or --processes, a record is its plain JSON
  // (built directly), and the scan can run as a job on every core (scan/list-job.ts)
  const plain = !hasExtras(extras) && filter === baseFilter && procs === undefined;
  // (connToJsonLine, not JSON.stringify: it keeps counters above 2^53 exact)
  const json = plain
    ? (c: Conn): string => connToJsonLine(c).slice(0, -1)
    : (c: Conn): string => appendJson(connToJsonLine(c).slice(0, -1), { ...extraJson(c, extras), ...procJson(c) });
  const format = outputFrom(flags);
  const layout = tableLayoutFrom(flags);
  const machine = format !== 'table';
  const sort = flags.sort === undefined ? undefined : parseSort(flags.sort, SORT_KEYS);
  // --limit 0 is all of them: no bounded heap at all
  const asked = limitFrom(flags.limit);
  const limit = asked === Infinity ? undefined : asked;
  const reverse = Boolean(flags.reverse) !== Boolean(sort?.reverse);
  const order = connOrder(sort?.key, reverse);
  const out = createOutput();

  // NDJSON without --sort streams records as they are parsed: memory stays flat
  if (format === 'ndjson' && sort === undefined && !flags.reverse) {
    if (plain && limit === undefined) {
      // on every core: records are written as bytes into reused buffers, and a worker's output
      // buffers go back to it once written (docs/performance.md)
      await scanJob(source, listJob({ filter: filterOptions, mode: 'ndjson', sort: undefined, reverse: false, limit: 0 }), out, true);
      await out.end();
      return;
    }
    let left = limit ?? Infinity;
    await scanTable(source, filter, (c) => {
      if (left <= 0) return;
      left--;
      out.write(json(c) + '\n');
    }, out, true);
    await out.end();
    return;
  }

  let conns: Conn[];
  /** entries read (the table's closing count) */
  let entries: number;
  if (limit !== undefined && plain) {
    // bounded heaps, one per part of the table, merged
    const run = await scanJob(source, listJob({ filter: filterOptions, mode: 'top', sort: sort?.key, reverse, limit }), out, machine);
    conns = run.result?.sorted() ?? [];
    entries = run.report.records;
  } else if (limit !== undefined) {
    const top = new TopK<Conn>(limit, order);
    entries = (await scanTable(source, filter, (c) => top.push(c), out, machine)).records;
    conns = top.sorted();
  } else {
    conns = [];
    entries = (await scanTable(source, filter, (c) => conns.push(c), out, machine)).records;
    conns.sort(order);
  }

  /** the table's closing count and hint, for stderr */
  let summary = '';
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
      out.write(appendCsv(csvHeader(), [...extraCsvColumns(extras), ...(procs === undefined ? [] : ['process'])]));
      for (const c of conns) out.write(appendCsv(connToCsv(c), [...extraCsvCells(c, extras), ...(procs === undefined ? [] : [processText(procs(c))])]));
      break;
    case 'table': {
      const palette = stdoutPalette(flags);
      const extraColumns = { head: extraTableHead(extras), cells: (c: Conn) => extraTableCells(c, extras) };
      const serviceColumn = flags.numeric ? extraColumns : withColumn(extraColumns, 'Service', connService);
      // a line that says why instead of an empty box
      if (conns.length === 0) out.write(noRowsLine(entries, isLiveTable(source)));
      else writeConnTable((t) => out.write(t), conns, palette, procs === undefined ? serviceColumn : withColumn(serviceColumn, 'Process', (c) => processText(procs(c))), layout);
      // the count as conntrack's, said once the table is written (end() reports a failed write instead)
      summary = closingCount(conns.length, 'connections', entries) + (conns.length > 0 && conns.every((c) => c.bytesTotal === undefined) ? ACCOUNTING_HINT : '');
      break;
    }
  }
  await out.end();
  process.stderr.write(summary);
}
