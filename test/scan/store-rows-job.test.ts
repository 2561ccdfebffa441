import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conn } from '../../src/model.js';
import { connOfScan } from '../../src/parse/conn-bytes.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { emptyReport, storedRowSink } from '../../src/parse/conn-records.js';
import { PACKED_ROW } from '../../src/parse/packed-scan.js';
import { compileFilter } from '../../src/filter/compile-filter.js';
import { connToCsv } from '../../src/render/conn-csv.js';
import { batchParser } from '../../src/scan/batch-parser.js';
import { STORE_ROWS, type StoreRowsParams } from '../../src/scan/store-rows-job.js';
import { CONN_TABLE } from '../../src/scan/conn-table-job.js';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

const all = fixtureFiles();
const table = Buffer.concat(all.map((f) => f.bytes.toString('latin1').replace(/([^\n])$/, '$1\n')).map((t) => Buffer.from(t, 'latin1')));
const records = lineRanges(table)
  .map(([s, e]) => parseConnLine(table.toString('latin1', s, e)))
  .filter((c): c is Conn => c !== undefined);
const look = { color: false, numeric: false, layout: { width: undefined, exact: false } };

/** The batch's rows, each ended by a newline. */
const rowsOf = (output: Buffer): Buffer[] => lineRanges(output).map(([s, e]) => output.subarray(s, e));

/** The records the key rows read back as. */
function keyRecords(rows: Buffer[]): Conn[] {
  const got: Conn[] = [];
  const sink = storedRowSink(emptyReport(), false, (c) => got.push(c), (s) => got.push(connOfScan(s)));
  const splitter = new ByteLineSplitter(sink);
  for (const row of rows) splitter.push(Buffer.concat([row, Buffer.from('\n')]));
  splitter.end();
  return got;
}

test('a key row for each record the filter keeps, read back as the same record, fast-path lines packed', () => {
  for (const filter of [{}, { proto: 17 }, { dport: 53 }]) {
    const answer = batchParser(STORE_ROWS, { filter, shown: undefined, table: look }).parse(table);
    const rows = rowsOf(answer.output);
    const want = records.filter(compileFilter(filter));
    assert.ok(want.length > 10, JSON.stringify(filter));
    assert.deepStrictEqual(keyRecords(rows), want, JSON.stringify(filter));
    assert.equal(answer.records, records.length);
    const packed = rows.filter((r) => r[0] === PACKED_ROW).length;
    assert.ok(packed > want.length / 2 && packed < want.length, `${packed} of ${want.length} rows packed`);
  }
});

test('shown rows: each key row followed by the record\'s CSV line, or its cell row with every column measured', () => {
  const filter = { proto: 6 };
  const want = records.filter(compileFilter(filter));
  const csv = rowsOf(batchParser(STORE_ROWS, { filter, shown: 'csv', table: look }).parse(table).output);
  assert.equal(csv.length, 2 * want.length);
  assert.deepStrictEqual(keyRecords(csv.filter((_, i) => i % 2 === 0)), want);
  assert.deepStrictEqual(csv.filter((_, i) => i % 2 === 1).map((r) => `${r.toString()}\n`), want.map(connToCsv));
  // the cell rows and widths of the conn-table job's own "cells" mode over the same records
  const params: StoreRowsParams = { filter, shown: 'table', table: look };
  const parser = batchParser(STORE_ROWS, params);
  const cells = rowsOf(parser.parse(table).output);
  const alone = batchParser(CONN_TABLE, { ...look, mode: 'cells', widths: [] });
  for (const c of want) alone.instance.conn(c, table, 0, 0);
  assert.deepStrictEqual(keyRecords(cells.filter((_, i) => i % 2 === 0)), want);
  assert.deepStrictEqual(cells.filter((_, i) => i % 2 === 1), rowsOf(alone.parse(Buffer.alloc(0)).output));
  assert.deepStrictEqual(parser.instance.state, alone.instance.state);
  assert.ok(parser.instance.state!.widths[2]! > 7, 'every column measured');
});
