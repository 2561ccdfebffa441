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
import { renderWhileReading, writeRendered, writeSortedList } from '../../src/scan/sorted-list.js';
import { LineArena } from '../../src/aggregate/line-arena.js';
import { runScan, type ScanTuning } from '../../src/scan/run-scan.js';
import type { ReadOptions } from '../../src/parse/read-table.js';
import { threadJob } from '../../src/scan/job.js';
import { always, compileFilter, type FilterOptions } from '../../src/filter/compile-filter.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { fixtureFiles } from '../helpers/fixture-lines.js';

// list's sorted output on every core (a worker measures and writes parts of the store's lines
// again, their output put back in order) must be, to the byte, what one thread writes from the
// same store: every fixture line, every format, in small batches so that both threads write many
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

describe('writeSortedList: a sorted store written by scan workers, as one thread writes it', () => {
  const cases: Array<[OutputFormat, boolean, boolean, TableLayout]> = [
    ['json', false, false, { width: undefined, exact: false }],
    ['ndjson', false, false, { width: undefined, exact: false }],
    ['csv', false, false, { width: undefined, exact: false }],
    ['table', false, false, { width: undefined, exact: false }],
    ['table', true, false, { width: 80, exact: false }],
    ['table', false, true, { width: 120, exact: true }],
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
    for (const format of ['json', 'ndjson', 'csv', 'table'] as OutputFormat[]) {
      const o = output(format, false, false, { width: 80, exact: false });
      const empty = (): ReturnType<ConnStore['sorted']> => new ConnStore(undefined).sorted(false);
      const want = await written((out) => writeConnList(out, o, empty(), 34));
      const got = await written((out) => writeSortedList(out, o, empty(), 34, { workers: 1, parallelMin: 1 }));
      assert.deepStrictEqual(got, want, format);
    }
  });
});

describe('renderWhileReading: a table\'s or CSV\'s rows made while this thread fills the store', () => {
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
  ];
  const orders: Array<[ListSortKey | undefined, boolean]> = [[undefined, false], ['dst', true], ['none', true]];

  /** One thread's output of `source`, and the output rendered while reading it (with `renderTuning`), laid out on a worker and in this thread. */
  async function compareRendered(
    source: ReadOptions, o: ConnOutput, filterOptions: FilterOptions, key: ListSortKey | undefined, reverse: boolean, renderTuning: ScanTuning,
  ): Promise<void> {
    const filter = compileFilter(filterOptions);
    // as list fills its store (commands/list.ts)
    const fill = async (from: ReadOptions, lines: boolean): Promise<{ entries: number; store: ConnStore }> => {
      const store = new ConnStore(key, { lines });
      const run = await runScan(from, threadJob(() => ({
        conn(c, buf, start, end) {
          if (filter(c)) store.add(c, buf, start, end);
        },
        scanned: filter === always ? store.addScan : undefined,
        state: store,
      })), { emit: () => undefined });
      return { entries: run.report.records, store };
    };
    const one = await fill(source, true);
    const want = await written((out) => writeConnList(out, o, one.store.sorted(reverse), one.entries));
    const rendering = renderWhileReading(source, o, filterOptions, renderTuning);
    assert.ok(rendering !== undefined, 'rendered as it is read');
    const two = await fill(rendering.source, false);
    const rendered = await rendering.rendered;
    const order = two.store.order(reverse);
    assert.ok(want.stdout.split('\n').length > 100, 'the filter leaves a long table');
    // a table laid out on a worker too, and in this thread alone
    for (const laidOut of [tuning, { workers: 0 }]) {
      const got = await written((out) => writeRendered(out, o, rendered, order, two.entries, laidOut));
      assert.equal(got.stdout, want.stdout);
      assert.equal(got.summary, want.summary);
    }
  }

  for (const [what, filterOptions] of filters) {
    for (const [format, color, layout] of looks) {
      for (const [key, reverse] of orders) {
        const look = format === 'csv' ? 'CSV' : `table${color ? ' in colour' : ''}, ${layout.width ?? 'wide'}`;
        it(`${what}, ${look}, sort ${key ?? 'default'}${reverse ? ' reversed' : ''}: what one thread writes, to the byte`, async () => {
          await compareRendered({ file }, output(format, color, false, layout), filterOptions, key, reverse, tuning);
        });
      }
    }
  }

  it('made in this thread, between the fill\'s chunks: without workers, and under the size that pays for them', async () => {
    for (const format of ['table', 'csv'] as OutputFormat[]) {
      const o = output(format, false, false, { width: 80, exact: false });
      await compareRendered({ file }, o, { proto: 6 }, undefined, false, { workers: 0 });
      await compareRendered({ file }, o, {}, 'dst', false, { ...tuning, parallelMin: table.length + 1 });
    }
  });

  it('a source of no known size (read as a pipe is: in this thread, then shared with a worker)', async () => {
    // (a kernel table at another path has no entry count to size it by)
    for (const format of ['table', 'csv'] as OutputFormat[]) {
      await compareRendered({ procPath: file }, output(format, false, false, { width: undefined, exact: false }), {}, 'src', true, tuning);
    }
  });

  it('rows that are not the store\'s records are refused, and no rows are the empty table or CSV', async () => {
    const o = output('table', false, false, { width: 80, exact: false });
    const rendering = renderWhileReading({ file }, o, { proto: 6 }, tuning)!;
    for await (const chunk of rendering.source.opened!) void chunk;
    const rendered = await rendering.rendered;
    await assert.rejects(written((out) => writeRendered(out, o, rendered, new Uint32Array(3), 3)), /list's \d+ rows do not match the 3 records kept/);
    const empty = { measure: rendered.measure, rows: new LineArena().sealed() };
    const want = await written((out) => writeConnList(out, o, new ConnStore(undefined).sorted(false), 34));
    assert.deepStrictEqual(await written((out) => writeRendered(out, o, empty, new Uint32Array(0), 34)), want);
    const csv = output('csv', false, false, { width: 80, exact: false });
    const header = await written((out) => writeConnList(out, csv, new ConnStore(undefined).sorted(false), 34));
    assert.ok(header.stdout.startsWith('family,'));
    assert.deepStrictEqual(await written((out) => writeRendered(out, csv, { rows: new LineArena().sealed(), measure: undefined }, new Uint32Array(0), 34)), header);
  });

  it('not for JSON or NDJSON (three times their line), nor under --strict', () => {
    for (const format of ['json', 'ndjson'] as OutputFormat[]) {
      assert.equal(renderWhileReading({ file }, output(format, false, false, { width: undefined, exact: false }), {}, tuning), undefined);
    }
    assert.equal(renderWhileReading({ file, strict: true }, output('table', false, false, { width: undefined, exact: false }), {}, tuning), undefined);
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
