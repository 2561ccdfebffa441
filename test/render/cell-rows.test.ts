import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxLines, DROPPED, fitBoxTable, measureBoxTable } from '../../src/render/box-table.js';
import { cellRowsWriter, rowOfCells } from '../../src/render/cell-rows.js';

test('cellRowsWriter lays out cell rows from their bytes exactly as boxLines().row lays out the cells, cut or not', () => {
  const columns = [{ head: 'A' }, { head: 'B', right: true }, { head: 'C' }, { head: '' }];
  const red = (s: string): string => `\u001b[31m${s}\u001b[39m`;
  const rows: string[][] = [
    ['10.0.0.1:443', '1.2 MB', 'plain', '→'],
    [red('ESTABLISHED'), red('42'), 'a → b', ''],
    ['𝔸𝔹ℂ wide 🙂', '7', 'e\u0301 combining', '→'],
    ['\u001b not a colour code', '\u001b[1;2', 'x', ''],
    ['', '', '', ''],
    ['only two', 'cells'],
    ['ümlaut ☃ ünicode', red('🙂🙂🙂🙂'), `${red('ab')}cd${red('ef')}`, 'z'],
  ];
  const bytes = Buffer.from(rows.map(rowOfCells).join(''));
  const measured = measureBoxTable(columns, { count: rows.length, cells: (r, into) => rows[r]!.forEach((c, i) => (into[i] = c)) });
  const fits: number[][] = [
    fitBoxTable(columns, measured, undefined),
    [3, 2, 5, 1],
    [1, 1, 1, 0],
    [0, 0, 0, 0],
    [DROPPED, 4, DROPPED, 1],
    [25, 9, 14, 1],
  ];
  for (const widths of fits) {
    const lines = boxLines(columns, widths);
    const want = rows.map((r) => lines.row([...r, '', '', '', ''].slice(0, 4))).join('');
    const out = { buf: Buffer.alloc(16), pos: 0, reserve(n: number) { if (out.pos + n > out.buf.length) { const b = Buffer.alloc((out.pos + n) * 2); out.buf.copy(b, 0, 0, out.pos); out.buf = b; } }, write() { throw new Error('bytes only'); } };
    // two calls: a sink that already holds bytes is written after them
    cellRowsWriter(columns, widths)(bytes.subarray(0, bytes.indexOf(10) + 1), out);
    cellRowsWriter(columns, widths)(bytes.subarray(bytes.indexOf(10) + 1), out);
    assert.equal(out.buf.subarray(0, out.pos).toString('utf8'), want, `widths ${widths.join(',')}`);
  }
});

test('cellRowsWriter ends a last row without its newline at the end of the buffer', () => {
  const columns = [{ head: 'A' }, { head: 'B' }];
  const out = { buf: Buffer.alloc(256), pos: 0, reserve() {}, write() { throw new Error('bytes only'); } };
  cellRowsWriter(columns, [3, 2])(Buffer.from(rowOfCells(['a', 'bb']) + rowOfCells(['ccc', 'd']).slice(0, -1)), out);
  assert.equal(out.buf.toString('utf8', 0, out.pos), boxLines(columns, [3, 2]).row(['a', 'bb']) + boxLines(columns, [3, 2]).row(['ccc', 'd']));
});
