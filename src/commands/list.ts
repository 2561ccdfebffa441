// `ctflow list`: connections after filters, sorted (NethServer's default order, or --sort),
// limited with a bounded heap, rendered as a table, JSON, NDJSON or CSV. Three ways through it,
// one read API (scan/read.ts scanJob): the table's own order is written as it is read; --limit
// keeps a bounded heap; every other list keeps the records in a compact store
// (aggregate/conn-store.ts) and writes them sorted, on every core (scan/sorted-list.ts).

import { Command } from 'commander';
import { TopK } from '../aggregate/top-k.js';
import { connOrder, LIST_SORT_KEYS } from '../aggregate/conn-order.js';
import { ConnStore, type ConnList, type StoredConns } from '../aggregate/conn-store.js';
import { CHUNK_MAX } from '../aggregate/line-arena.js';
import { PageWarmer } from '../scan/page-warmer.js';
import { bigTableBytes, type ScanRun } from '../scan/run-scan.js';
import { always, compileFilter } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { createOutput } from '../output.js';
import { hasExtras } from '../render/conn-extras.js';
import { connWriter, longOutputNotice, writeConnList, type ConnOutput } from '../render/conn-list.js';
import { FLAG_CODES } from '../render/conn-table.js';
import { isLiveTable } from '../source/open-source.js';
import { stdoutPalette } from '../render/palette.js';
import {
  addFilterOptions, addOutputOptions, addSourceOptions, filterFrom, outputFrom, sourceFrom,
  type FilterFlags, type OutputFlags, type SourceFlags,
} from './options.js';
import { addTableOptions, tableLayoutFrom, type TableFlags } from './table-options.js';
import { listJob } from '../scan/list-job.js';
import { sortedInParallel, tableParams, writeShownRows, writeSortedList } from '../scan/sorted-list.js';
import { storeRowsJob, type StoreRowsState } from '../scan/store-rows-job.js';
import { addProcessesOption, connProcessLookup, processesFrom, type ProcessFlags } from './process-option.js';
import { addExamples, inGroup, OUTPUT } from './help-groups.js';
import { addOrderOptions, limitFrom, parseSort } from './order-options.js';
import { scanJob } from '../scan/read.js';
import { sourceSize } from '../parse/read-progress.js';
import { threadJob } from '../scan/job.js';
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
  addOrderOptions(cmd, { keys: LIST_SORT_KEYS, sortDefault: 'bytes, then timeout', rows: 'connections', limitDefault: 'all' });
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
  const processes = processesFrom(flags, source) ? await connProcessLookup() : undefined;
  const format = outputFrom(flags);
  const output: ConnOutput = {
    format, extras, processes, palette: stdoutPalette(flags), numeric: Boolean(flags.numeric), layout: tableLayoutFrom(flags), live: isLiveTable(source),
  };
  const machine = format !== 'table';
  const sort = flags.sort === undefined ? undefined : parseSort(flags.sort, LIST_SORT_KEYS);
  const key = sort?.key;
  // --limit 0 is all of them: no bounded heap at all
  const asked = limitFrom(flags.limit);
  const limit = asked === Infinity ? undefined : asked;
  const reverse = Boolean(flags.reverse) !== Boolean(sort?.reverse);
  const out = createOutput();
  /** a table's closing count and accounting hint, for stderr */
  let summary = '';

  // the table's own order (--sort none; NDJSON without --sort): each record written as it is read
  if ((key === 'none' || (key === undefined && format === 'ndjson')) && !reverse) {
    if (format === 'ndjson' && limit === undefined && filter === baseFilter && !hasExtras(extras) && processes === undefined) {
      // on every core: records are written as bytes into reused buffers, and a worker's output
      // buffers go back to it once written (docs/performance.md)
      await scanJob(source, listJob({ filter: filterOptions, mode: 'ndjson', sort: undefined, reverse: false, limit: 0 }), out, true);
    } else {
      const writer = connWriter(out, output);
      let left = limit ?? Infinity;
      const scan = filter === always ? writer.scan : undefined;
      const run = await scanJob(source, threadJob(() => ({
        conn(c) {
          if (left > 0 && filter(c)) {
            left--;
            writer.row(c);
          }
        },
        // without a filter a line the fast path read is written with no record made (JSON, CSV)
        scanned: scan && ((s) => {
          if (left > 0) {
            left--;
            scan(s);
          }
        }),
        state: undefined,
      })), out, true);
      summary = writer.end(run.report.records);
    }
    await out.end();
    // the table's closing count, said once the table is written (end() reports a failed write instead)
    process.stderr.write(summary);
    return;
  }

  let conns: ConnList | StoredConns;
  /** entries read (the table's closing count) */
  let entries: number;
  if (limit !== undefined && key !== 'none') {
    if (filter === baseFilter) {
      // bounded heaps, one per part of the table, merged
      const run = await scanJob(source, listJob({ filter: filterOptions, mode: 'top', sort: key, reverse, limit }), out, machine);
      conns = run.result?.sorted() ?? [];
      entries = run.report.records;
    } else {
      const top = new TopK<Conn>(limit, connOrder(key, reverse));
      const run = await scanJob(source, threadJob(() => ({
        conn(c) {
          if (filter(c)) top.push(c);
        },
        state: top,
      })), out, machine);
      conns = top.sorted();
      entries = run.report.records;
    }
  } else {
    // every record kept as a row, made on every core (scan/store-rows-job.ts), unless a zone
    // filter, which lives in this thread only, must see it: then the store is filled here, and
    // the other core makes the memory of a big table's rows ready (scan/page-warmer.ts)
    const rowsJob = filter === baseFilter;
    // a table's or CSV's rows to write are made in the same parse, when the whole store is shown
    const shown = rowsJob && limit === undefined && sortedInParallel(output) && (format === 'table' || format === 'csv') ? format : undefined;
    const warmer = !rowsJob && bigTableBytes(source) !== undefined ? await PageWarmer.start(CHUNK_MAX) : undefined;
    // every record, kept as its row and the columns the order compares (aggregate/conn-store.ts);
    // a line is at least ~80 bytes: a file's size bounds the entries, so the columns are sized once
    const store = new ConnStore(key, { capacity: Math.ceil((sourceSize(source) ?? 0) / 64), warm: warmer?.take, shown: shown !== undefined });
    let run: ScanRun<StoreRowsState | ConnStore>;
    try {
      run = rowsJob
        ? await scanJob(source, storeRowsJob({ filter: filterOptions, shown, table: tableParams(output) }), store.addRows, machine)
        : await scanJob(source, threadJob(() => ({
          conn(c, buf, start, end) {
            if (filter(c)) store.add(c, buf, start, end);
          },
          // without a filter a line the fast path read is kept without making its record
          scanned: filter === always ? store.addScan : undefined,
          state: store,
        })), out, machine);
    } finally {
      await warmer?.stop();
    }
    entries = run.report.records;
    if (shown !== undefined) {
      const sorted = store.sorted(reverse);
      longNotice(flags, sorted.length);
      const measure = shown === 'table' ? run.result as StoreRowsState : undefined;
      summary = await writeShownRows(out, output, sorted.lines(0, sorted.length), sorted.length, measure, entries);
      await out.end();
      process.stderr.write(summary);
      return;
    }
    conns = store.sorted(reverse);
    if (limit !== undefined) conns = { length: Math.min(limit, conns.length), at: conns.at };
  }
  longNotice(flags, conns.length);
  // a sorted store's JSON is written on every core when its records need only their rows
  summary = 'lines' in conns && sortedInParallel(output) && (format === 'json' || format === 'ndjson')
    ? await writeSortedList(out, output, conns, entries)
    : writeConnList(out, output, conns, entries);
  await out.end();
  process.stderr.write(summary);
}

/** On a terminal, without --limit: how many rows are about to be printed, when that is a lot. */
function longNotice(flags: ListFlags, rows: number): void {
  if (flags.limit !== undefined || !process.stdout.isTTY) return;
  const notice = longOutputNotice(rows, process.stdout.rows);
  if (notice !== undefined) process.stderr.write(`${notice}\n`);
}
