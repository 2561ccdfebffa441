import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connOrder, type SortKey } from '../../src/aggregate/conn-order.js';
import { TopK } from '../../src/aggregate/top-k.js';
import { LIST } from '../../src/scan/list-job.js';
import type { Conn } from '../../src/model.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { batchParser } from '../../src/scan/batch-parser.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';
import { connOfScan } from '../../src/parse/conn-bytes.js';
import { emptyReport, storedRowSink } from '../../src/parse/conn-records.js';
import { PACKED_ROW } from '../../src/parse/packed-scan.js';
import { compileFilter } from '../../src/filter/compile-filter.js';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';

// list --sort KEY --limit N skips, without making a record, every scanned line that ranks strictly
// after the worst kept record: the kept records must be exactly those of a heap fed every record
const all = fixtureFiles();
const table = Buffer.concat(all.map((f) => f.bytes.toString('latin1').replace(/([^\n])$/, '$1\n')).map((t) => Buffer.from(t, 'latin1')));
const records = lineRanges(table)
  .map(([s, e]) => parseConnLine(table.toString('latin1', s, e)))
  .filter((c): c is Conn => c !== undefined);

for (const sort of [undefined, 'bytes', 'packets', 'timeout', 'src'] as Array<SortKey | undefined>) {
  for (const reverse of [false, true]) {
    test(`top ${sort ?? 'default'}${reverse ? ' reversed' : ''}: the records of a full heap, on every fixture line`, () => {
      for (const limit of [1, 7, 25]) {
        const params = { filter: {}, mode: 'top' as const, sort, reverse, limit };
        const parser = batchParser(LIST, params);
        parser.parse(table);
        const want = new TopK<Conn>(limit, connOrder(sort, reverse));
        for (const c of records) want.push(c);
        assert.deepStrictEqual(parser.instance.state?.sorted(), want.sorted(), `limit ${limit}`);
      }
    });
  }
}

test('a filter still applies to the lines top-k keeps', () => {
  const params = { filter: { proto: 17 }, mode: 'top' as const, sort: 'bytes' as const, reverse: false, limit: 5 };
  const parser = batchParser(LIST, params);
  parser.parse(table);
  const kept = parser.instance.state?.sorted();
  const want = new TopK<Conn>(5, connOrder('bytes', false));
  for (const c of records) if (c.protonum === 17) want.push(c);
  assert.equal(kept?.length, 5);
  assert.deepStrictEqual(kept, want.sorted());
});

test('pack: a row for each record the filter keeps, read back as the same record, fast-path lines packed', () => {
  for (const filter of [{}, { proto: 17 }, { dport: 53 }]) {
    const parser = batchParser(LIST, { filter, mode: 'pack' as const, sort: undefined, reverse: false, limit: 0 });
    const answer = parser.parse(table);
    const got: Conn[] = [];
    const rows = storedRowSink(emptyReport(), false, (c) => got.push(c), (s) => got.push(connOfScan(s)));
    const splitter = new ByteLineSplitter(rows);
    splitter.push(answer.output);
    splitter.end();
    const want = records.filter(compileFilter(filter));
    assert.ok(want.length > 10, JSON.stringify(filter));
    assert.deepStrictEqual(got, want, JSON.stringify(filter));
    assert.equal(answer.records, records.length);
    const packed = lineRanges(answer.output).filter(([s]) => answer.output[s] === PACKED_ROW).length;
    assert.ok(packed > want.length / 2 && packed < want.length, `${packed} of ${want.length} rows packed`);
  }
});
