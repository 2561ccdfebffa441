// `list`'s sorted output without --limit, written on every core: the records wait in a sorted
// store (aggregate/conn-store.ts) as their lines, and its `lines` are read again as a table is,
// by scan jobs whose output run-scan.ts puts back in order. JSON, NDJSON and CSV: the list job
// writes the records (list-job.ts); the table: one job measures the columns, a second writes the
// rows (conn-table-job.ts). A table's or CSV's rows are instead made while the store fills, and
// only written once sorted (renderWhileReading); those two ways are left for a table or CSV with
// a zone filter or under --strict. Only output whose records need nothing but their line goes
// this way: zone and mark names and processes live in this thread (render/conn-list.ts writes
// those).

import type { StoredConns } from '../aggregate/conn-store.js';
import type { Output } from '../output.js';
import { boxLines, fitBoxTable } from '../render/box-table.js';
import { LineArena, type GatheredRows, type KeptRows } from '../aggregate/line-arena.js';
import { PipeClosed } from '../errors.js';
import { sourceSize } from '../parse/read-progress.js';
import { connWriter, tableSummary, writeStored, type ConnOutput } from '../render/conn-list.js';
import { hasExtras } from '../render/conn-extras.js';
import { openSource, type SourceOptions } from '../source/open-source.js';
import type { FilterOptions } from '../filter/compile-filter.js';
import type { ReadOptions } from '../parse/read-table.js';
import { ChunkTee, teed } from './chunk-tee.js';
import { connTableJob, connTableOf, type ConnTableJobParams, type TableMeasure } from './conn-table-job.js';
import { listJob } from './list-job.js';
import { scanJob } from './read.js';
import { keptOutput, kernelTableBytes, PARALLEL_MIN, runScan, type ScanTuning } from './run-scan.js';

/** Whether `writeSortedList` can write this output (else render/conn-list.ts writeConnList does). */
export function sortedInParallel(o: ConnOutput): boolean {
  return !hasExtras(o.extras) && o.processes === undefined;
}

/**
 * Writes every record of the store in its order; `entries`: how many the read had. Returns what
 * a table says on stderr once written.
 */
export async function writeSortedList(
  out: Output, o: ConnOutput, conns: StoredConns, entries: number, tuning: ScanTuning = {},
): Promise<string> {
  const w = connWriter(out, o);
  // no records: the line said instead of a table, or an empty JSON array
  if (conns.length === 0) return w.end(entries);
  // the table reads every line twice (measured, then written); the other formats write the first
  // record here
  const source = linesSource(conns, o.format === 'table' ? 0 : 1);
  // the sort's columns are garbage now, but V8 frees them only at its next full collection, which
  // nothing starts before the workers do: asked for here, the peak RSS is that of the lines
  if (source.openedBytes! >= (tuning.parallelMin ?? PARALLEL_MIN)) await collectGarbage();
  if (o.format === 'table') {
    const table = tableParams(o);
    const measured = (await scanJob(source, connTableJob({ ...table, mode: 'measure', widths: [] }), undefined, true, tuning)).result;
    const { columns } = connTableOf(table);
    const widths = fitBoxTable(columns, measured.widths, o.layout.width);
    const lines = boxLines(columns, widths);
    out.write(lines.top);
    await scanJob(linesSource(conns, 0), connTableJob({ ...table, mode: 'write', widths }), out, true, tuning);
    out.write(lines.bottom);
    return tableSummary(conns.length, entries, measured.counted);
  }
  // the first record here: after JSON's `[` it has no `,` before it
  writeStored(w, conns.record(0)!);
  await scanJob(source, listJob({ filter: {}, mode: o.format, sort: undefined, reverse: false, limit: 0, stored: true }), out, true, tuning);
  return w.end(entries);
}

/** The rows of a sorted list made as its store was filled (renderWhileReading). */
export interface RenderedRows {
  /** each kept record's row (a table's cell row, a CSV line), in the order the store kept them */
  rows: KeptRows;
  /** a table's: each column's widest cell, and whether any row had counters */
  measure: TableMeasure | undefined;
}

/**
 * The rows of a sorted table or CSV made while this thread fills the store from the same read (a
 * ChunkTee): a record's row does not depend on the order. A big table's are made on a worker (and
 * on this thread when the worker is behind), a small one's or all of them without workers on this
 * thread, between the chunks the fill reads. Each kept record's row comes back in the order read, and is kept in
 * a line arena: a table's cells as a cell row (render/cell-rows.ts rowOfCells, about a third of
 * its line, every column measured on the way), a CSV line as written (two thirds). So the store
 * needs no lines, only its order (ConnStore `lines: false`), and the sorted rows are written from
 * those bytes (writeRendered) with no line read twice. JSON and NDJSON are three times their line:
 * not kept so. `source`: what the fill reads instead of the table; `rendered`: the rows of the
 * records `filter` keeps, once the read is done. Not under --strict (else undefined:
 * writeSortedList reads the store's lines again).
 */
export function renderWhileReading(
  source: ReadOptions, o: ConnOutput, filter: FilterOptions, tuning: ScanTuning = {},
): { source: ReadOptions; rendered: Promise<RenderedRows> } | undefined {
  if ((o.format !== 'table' && o.format !== 'csv') || !sortedInParallel(o) || source.strict) return undefined;
  const tee = new ChunkTee();
  // (a line is at least ~80 bytes: rows no more than the file's size over 64, as the store's)
  const rows = new LineArena(Math.ceil((sourceSize(source) ?? 0) / 64));
  // the source's chunks from the tee, its size where known (the kernel's table by its entry
  // count): run-scan splits it as it would the source itself, a pipe's included
  const read = { ...source, opened: tee, openedBytes: sourceSize(source) ?? kernelTableBytes(source) };
  // each batch's rows are kept as the buffer they came in, made just their size where written
  const control = { ...keptOutput((bytes) => rows.keepChunk(bytes)), ...tuning };
  const measure = o.format === 'table'
    ? runScan(read, connTableJob({ ...tableParams(o), mode: 'cells', widths: [], filter }), control).then((run) => run.result)
    : runScan(read, listJob({ filter, mode: 'csv', sort: undefined, reverse: false, limit: 0 }), control).then(() => undefined);
  const rendered = measure.then((m) => ({ rows: rows.sealed(), measure: m }));
  // a read that failed is said by the fill, which reads the same chunks: the rendering's own
  // failure (a worker's) is said only once the fill is done
  rendered.catch(() => undefined);
  return { source: { ...source, opened: teed(openSource(source, true), tee) }, rendered };
}

/**
 * Writes the rows made while the store filled (renderWhileReading) in the store's `order`
 * (ConnStore.order): a table laid out in the widths measured, a CSV after its header.
 * `entries`: how many the read had. Returns what a table says on stderr once written.
 */
export async function writeRendered(
  out: Output, o: ConnOutput, rendered: RenderedRows, order: Uint32Array, entries: number, tuning: ScanTuning = {},
): Promise<string> {
  const { measure, rows } = rendered;
  // the two reads kept the same records (one filter), or the rows would be another list's
  if (rows.length !== order.length) throw new Error(`the list's ${rows.length} rows do not match the ${order.length} records kept`);
  const sorted = rows.gather(order, 0, order.length);
  if (measure === undefined) {
    // CSV: the header, then each row as made
    const w = connWriter(out, o);
    await writeBatches(out, sorted, (batch) => {
      out.reserve(batch.length);
      out.pos += batch.copy(out.buf, out.pos);
    });
    return w.end(entries);
  }
  if (order.length === 0) return connWriter(out, o).end(entries);
  const { columns } = connTableOf(tableParams(o));
  const widths = fitBoxTable(columns, measure.widths, o.layout.width);
  const lines = boxLines(columns, widths);
  out.write(lines.top);
  // laid out on every core, as a table is read
  await scanJob({ opened: sorted.chunks, openedBytes: sorted.bytes }, connTableJob({ ...tableParams(o), mode: 'layout', widths }), out, true, tuning);
  out.write(lines.bottom);
  return tableSummary(order.length, entries, measure.counted);
}

/** Each batch written, then sent; a closed output stops it (| head: quietly, see scanJob). */
async function writeBatches(out: Output, rows: GatheredRows, write: (batch: Buffer) => void): Promise<void> {
  for await (const batch of rows.chunks) {
    write(batch);
    await out.flush();
    if (out.closed) {
      // a reader that went away ends us quietly; a failed write is reported by end()
      await out.end();
      throw new PipeClosed();
    }
  }
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
