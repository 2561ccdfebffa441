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
import { writeSortedList } from '../../src/scan/sorted-list.js';
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
