// `list`'s sorted output without --limit, written on every core: the records wait in a sorted
// store (aggregate/conn-store.ts) as their lines, and its `lines` are read again as a table is,
// by scan jobs whose output run-scan.ts puts back in order. JSON, NDJSON and CSV: the list job
// writes the records (list-job.ts); the table: one job measures the columns, a second writes the
// rows (conn-table-job.ts). Only output whose records need nothing but their line goes this way:
// zone and mark names and processes live in this thread (render/conn-list.ts writes those).

import type { StoredConns } from '../aggregate/conn-store.js';
import type { Output } from '../output.js';
import { boxLines, fitBoxTable } from '../render/box-table.js';
import { connWriter, tableSummary, writeStored, type ConnOutput } from '../render/conn-list.js';
import { hasExtras } from '../render/conn-extras.js';
import { openSource, type SourceOptions } from '../source/open-source.js';
import type { FilterOptions } from '../filter/compile-filter.js';
import type { ReadOptions } from '../parse/read-table.js';
import { ChunkTee, teed } from './chunk-tee.js';
import { connTableJob, connTableOf, type ConnTableJobParams, type TableMeasure } from './conn-table-job.js';
import { listJob } from './list-job.js';
import { scanJob } from './read.js';
import { bigTableBytes, PARALLEL_MIN, runScan, type ScanTuning } from './run-scan.js';

/** Whether `writeSortedList` can write this output (else render/conn-list.ts writeConnList does). */
export function sortedInParallel(o: ConnOutput): boolean {
  return !hasExtras(o.extras) && o.processes === undefined;
}

/**
 * Writes every record of the store in its order; `entries`: how many the read had. Returns what
 * a table says on stderr once written.
 */
export async function writeSortedList(
  out: Output, o: ConnOutput, conns: StoredConns, entries: number, tuning: ScanTuning = {}, measuredAlready?: TableMeasure,
): Promise<string> {
  const w = connWriter(out, o);
  // no records: the line said instead of a table, or an empty JSON array
  if (conns.length === 0) return w.end(entries);
  // the table reads every line (twice, or once when measured as the store was filled); the other
  // formats write the first record here
  const source = linesSource(conns, o.format === 'table' ? 0 : 1);
  // the sort's columns are garbage now, but V8 frees them only at its next full collection, which
  // nothing starts before the workers do: asked for here, the peak RSS is that of the lines
  if (source.openedBytes! >= (tuning.parallelMin ?? PARALLEL_MIN)) await collectGarbage();
  if (o.format === 'table') {
    const table = tableParams(o);
    const measured = measuredAlready ?? (await scanJob(source, connTableJob({ ...table, mode: 'measure', widths: [] }), undefined, true, tuning)).result;
    const { columns } = connTableOf(table);
    const widths = fitBoxTable(columns, measured.widths, o.layout.width);
    const lines = boxLines(columns, widths);
    out.write(lines.top);
    await scanJob(measuredAlready === undefined ? linesSource(conns, 0) : source, connTableJob({ ...table, mode: 'write', widths }), out, true, tuning);
    out.write(lines.bottom);
    return tableSummary(conns.length, entries, measured.counted);
  }
  // the first record here: after JSON's `[` it has no `,` before it
  writeStored(w, conns.record(0)!);
  await scanJob(source, listJob({ filter: {}, mode: o.format, sort: undefined, reverse: false, limit: 0 }), out, true, tuning);
  return w.end(entries);
}

/**
 * The table's columns measured on the workers while this thread fills the store from the same
 * read (a ChunkTee): the widths do not depend on the order, and the workers are idle during the
 * fill, so the table's first pass costs no time of its own. `source`: what the fill reads instead
 * of the table; `measured`: the widths of the records `filter` keeps, once the read is done
 * (undefined when the read failed: the fill says why). Only for a big table of known size (a file,
 * the kernel's) and when workers run (else undefined: writeSortedList measures the store's lines).
 */
export function measureWhileReading(
  source: ReadOptions, o: ConnOutput, filter: FilterOptions, tuning: ScanTuning = {},
): { source: ReadOptions; measured: Promise<TableMeasure | undefined> } | undefined {
  // (the kernel's table is sized by its entry count: a live gateway's list gains too)
  const size = bigTableBytes(source, tuning);
  if (o.format !== 'table' || !sortedInParallel(o) || source.strict || size === undefined) return undefined;
  const tee = new ChunkTee();
  const spec = connTableJob({ ...tableParams(o), mode: 'measure', widths: [], filter });
  const measured = runScan({ opened: tee, openedBytes: size }, spec, { emit: () => undefined, ...tuning, workersOnly: true }).then(
    (run) => run.result,
    () => undefined,
  );
  return { source: { ...source, opened: teed(openSource(source, true), tee) }, measured };
}

/** What the table job needs of the output, as plain data for a worker. */
function tableParams(o: ConnOutput): Pick<ConnTableJobParams, 'color' | 'numeric' | 'layout'> {
  return { color: o.palette.enabled, numeric: o.numeric, layout: o.layout };
}

/** The store's lines from record `from` on, as a source to scan. */
function linesSource(conns: StoredConns, from: number): SourceOptions {
  const lines = conns.lines(from, conns.length);
  return { opened: lines.chunks, openedBytes: lines.bytes };
}

/**
 * A full garbage collection now (node has no API for it without --expose-gc on its command line;
 * node:v8 is loaded here only: every other run would pay for it at start-up).
 */
async function collectGarbage(): Promise<void> {
  const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import('node:v8'), import('node:vm')]);
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
