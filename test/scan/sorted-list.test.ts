import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ConnStore } from '../../src/aggregate/conn-store.js';
import type { ListSortKey } from '../../src/aggregate/conn-order.js';
import { createOutput, type OutputFormat } from '../../src/output.js';
import { connLineSink, emptyReport } from '../../src/parse/conn-records.js';
import { writeConnList, type ConnOutput } from '../../src/render/conn-list.js';
import { createPalette } from '../../src/render/palette.js';
import type { TableLayout } from '../../src/render/table-layout.js';
import { tableParams, writeShownRows, writeSortedList } from '../../src/scan/sorted-list.js';
import { storeRowsJob } from '../../src/scan/store-rows-job.js';
import { keptOutput, runScan, type ScanTuning } from '../../src/scan/run-scan.js';
import type { ReadOptions } from '../../src/parse/read-table.js';
import { threadJob } from '../../src/scan/job.js';
import { always, compileFilter, type FilterOptions } from '../../src/filter/compile-filter.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { fixtureFiles } from '../helpers/fixture-lines.js';

// list's sorted output on every core (a worker writes parts of the store's rows again, or lays
// out the cell rows made as it filled, their output put back in order) must be, to the byte,
// what one thread writes from the same records: every fixture line, every format, in small
// batches so that both threads write many
const table = Buffer.concat(fixtureFiles().flatMap((f) => [f.bytes, Buffer.from('\n')]));

function sortedStore(key: ListSortKey | undefined, reverse: boolean): { entries: number; store: ReturnType<ConnStore['sorted']> } {
  const store = new ConnStore(key);
  const report = emptyReport();
  const splitter = new ByteLineSplitter(connLineSink(report, false, store.add, store.addScan));
  splitter.push(table);
  splitter.end();
  return { entries: report.records, store: store.sorted(reverse) };
}

async function written(write: (out: ReturnType<typeof createOutput>) => Promise<string> | string): Promise<{ stdout: string; summary: string }> {
  const stream = new PassThrough();
  const got: Buffer[] = [];
  stream.on('data', (d: Buffer) => got.push(d));
  const out = createOutput(stream);
  const summary = await write(out);
  await out.end();
  return { stdout: Buffer.concat(got).toString('utf8'), summary };
}

const output = (format: OutputFormat, color: boolean, numeric: boolean, layout: TableLayout): ConnOutput => ({
  format, extras: {}, processes: undefined, palette: createPalette(color), numeric, layout, live: false,
});

describe('writeSortedList: a sorted store\'s JSON written by scan workers, as one thread writes it', () => {
  const cases: Array<[OutputFormat, boolean, boolean, TableLayout]> = [
    ['json', false, false, { width: undefined, exact: false }],
    ['ndjson', false, false, { width: undefined, exact: false }],
  ];
  for (const [key, reverse] of [[undefined, false], ['bytes', true], ['dst', false], ['none', true]] as Array<[ListSortKey | undefined, boolean]>) {
    for (const [format, color, numeric, layout] of cases) {
      it(`${format}${color ? ' in colour' : ''}${numeric ? ' -n' : ''} ${layout.width ?? 'wide'}${layout.exact ? ' exact' : ''}, sort ${key ?? 'default'}${reverse ? ' reversed' : ''}`, async () => {
        const o = output(format, color, numeric, layout);
        const one = sortedStore(key, reverse);
        const want = await written((out) => writeConnList(out, o, one.store, one.entries));
        const two = sortedStore(key, reverse);
        const got = await written((out) => writeSortedList(out, o, two.store, two.entries, { workers: 1, parallelMin: 1, batchBytes: 4096 }));
        assert.ok(want.stdout.length > 100_000, 'the fixtures make a long list');
        assert.equal(got.stdout, want.stdout);
        assert.equal(got.summary, want.summary);
      });
    }
  }

  it('an empty store: the same empty output as one thread writes', async () => {
    for (const format of ['json', 'ndjson'] as OutputFormat[]) {
      const o = output(format, false, false, { width: 80, exact: false });
      const empty = (): ReturnType<ConnStore['sorted']> => new ConnStore(undefined).sorted(false);
      const want = await written((out) => writeConnList(out, o, empty(), 34));
      const got = await written((out) => writeSortedList(out, o, empty(), 34, { workers: 1, parallelMin: 1 }));
      assert.deepStrictEqual(got, want, format);
    }
  });
});

describe('store-rows: a table\'s or CSV\'s rows made in the parse that fills the store, written once sorted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-render-'));
  const file = join(dir, 'table.txt');
  writeFileSync(file, table);
  const tuning = { workers: 1, parallelMin: 1, batchBytes: 4096 };
  const filters: Array<[string, FilterOptions]> = [['no filter', {}], ['-p tcp', { proto: 6 }], ['--nat', { nat: true }]];
  const looks: Array<[OutputFormat, boolean, TableLayout]> = [
    ['table', false, { width: undefined, exact: false }],
    ['table', false, { width: 80, exact: false }],
    ['table', true, { width: 120, exact: true }],
    ['table', true, { width: 40, exact: false }],
    ['csv', false, { width: 80, exact: false }],
    ['json', false, { width: 80, exact: false }],
  ];
  const orders: Array<[ListSortKey | undefined, boolean]> = [[undefined, false], ['dst', true], ['none', true]];

  /**
   * One thread's output of `source`, and the output of a store filled by the store-rows job (with
   * `fillTuning`, as commands/list.ts fills it), written on a worker and in this thread.
   */
  async function compareStoreRows(
    source: ReadOptions, o: ConnOutput, filterOptions: FilterOptions, key: ListSortKey | undefined, reverse: boolean, fillTuning: ScanTuning,
  ): Promise<void> {
    const filter = compileFilter(filterOptions);
    const one = new ConnStore(key);
    const read = await runScan(source, threadJob(() => ({
      conn(c, buf, start, end) {
        if (filter(c)) one.add(c, buf, start, end);
      },
      scanned: filter === always ? one.addScan : undefined,
      state: one,
    })), { emit: () => undefined });
    const want = await written((out) => writeConnList(out, o, one.sorted(reverse), read.report.records));
    assert.ok(want.stdout.split('\n').length > 100, 'the filter leaves a long list');
    const shown = o.format === 'table' || o.format === 'csv' ? o.format : undefined;
    const two = new ConnStore(key, { shown: shown !== undefined });
    const run = await runScan(source, storeRowsJob({ filter: filterOptions, shown, table: tableParams(o) }), { ...keptOutput(two.addRows), ...fillTuning });
    assert.equal(run.report.records, read.report.records);
    const sorted = two.sorted(reverse);
    // written on a worker too, and in this thread alone
    for (const writing of [tuning, { workers: 0 }]) {
      const got = await written((out) => (shown === undefined
        ? writeSortedList(out, o, sorted, run.report.records, writing)
        : writeShownRows(out, o, sorted.lines(0, sorted.length), sorted.length, shown === 'table' ? run.result : undefined, run.report.records, writing)));
      assert.equal(got.stdout, want.stdout);
      assert.equal(got.summary, want.summary);
    }
  }

  for (const [what, filterOptions] of filters) {
    for (const [format, color, layout] of looks) {
      for (const [key, reverse] of orders) {
        const look = format === 'table' ? `table${color ? ' in colour' : ''}, ${layout.width ?? 'wide'}` : format.toUpperCase();
        it(`${what}, ${look}, sort ${key ?? 'default'}${reverse ? ' reversed' : ''}: what one thread writes, to the byte`, async () => {
          await compareStoreRows({ file }, output(format, color, false, layout), filterOptions, key, reverse, tuning);
        });
      }
    }
  }

  it('made in this thread: without workers, and under the size that pays for them', async () => {
    for (const format of ['table', 'csv', 'json'] as OutputFormat[]) {
      const o = output(format, false, false, { width: 80, exact: false });
      await compareStoreRows({ file }, o, { proto: 6 }, undefined, false, { workers: 0 });
      await compareStoreRows({ file }, o, {}, 'dst', false, { ...tuning, parallelMin: table.length + 1 });
    }
  });

  it('a source of no known size (read as a pipe is: in this thread, then shared with a worker)', async () => {
    // (a kernel table at another path has no entry count to size it by)
    for (const format of ['table', 'csv', 'ndjson'] as OutputFormat[]) {
      await compareStoreRows({ procPath: file }, output(format, false, false, { width: undefined, exact: false }), {}, 'src', true, tuning);
    }
  });

  it('no rows: the empty table, or the CSV header alone, as one thread writes them', async () => {
    for (const format of ['table', 'csv'] as OutputFormat[]) {
      const o = output(format, false, false, { width: 80, exact: false });
      const want = await written((out) => writeConnList(out, o, new ConnStore(undefined).sorted(false), 34));
      const empty = new ConnStore(undefined, { shown: true }).sorted(false);
      const measure = format === 'table' ? { widths: [], counted: false } : undefined;
      assert.deepStrictEqual(await written((out) => writeShownRows(out, o, empty.lines(0, 0), 0, measure, 34)), want, format);
    }
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
