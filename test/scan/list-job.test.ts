import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connOrder, type SortKey } from '../../src/aggregate/conn-order.js';
import { TopK } from '../../src/aggregate/top-k.js';
import { LIST } from '../../src/scan/list-job.js';
import type { Conn } from '../../src/model.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { batchParser } from '../../src/scan/batch-parser.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

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
