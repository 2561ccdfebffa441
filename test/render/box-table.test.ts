import { test } from 'node:test';
import assert from 'node:assert/strict';
import Table from 'cli-table3';
import { measureBoxTable, renderBoxTable, writeBoxTable, type BoxCell } from '../../src/render/box-table.js';

/** The cli-table3 configuration the views used before; box-table must draw the same. */
function viaCliTable3(head: string[], rows: BoxCell[][]): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) table.push(r as never);
  return table.toString() + '\n';
}

test('draws exactly what cli-table3 draws: widths, right alignment, empty cells, colour codes', () => {
  const head = ['Proto', 'Local', '', 'Bytes'];
  const rows: BoxCell[][] = [
    ['tcp', '10.0.0.1:many', '-->', { hAlign: 'right', content: '12345' }],
    ['\u001b[35mudp\u001b[39m', '[fd00::1]:53', '', { hAlign: 'right', content: '-' }],
    ['icmp', 'a → b', '<--', { hAlign: 'right', content: '7' }],
  ];
  assert.equal(renderBoxTable(head, rows), viaCliTable3(head, rows));
});

test('an empty table is the header alone', () => {
  assert.equal(renderBoxTable(['A', 'Bee'], []), viaCliTable3(['A', 'Bee'], []));
});

test('20,000 rows render (cli-table3 needed minutes for this)', () => {
  const rows: BoxCell[][] = Array.from({ length: 20000 }, (_, i) => [`10.0.${i >> 8}.${i & 255}`, { hAlign: 'right', content: String(i) }]);
  const out = renderBoxTable(['Addr', 'N'], rows);
  const lines = out.split('\n');
  assert.equal(lines.length, 20000 + 4);
  assert.equal(lines[2], '│ 10.0.0.0    │     0 │');
  assert.equal(lines[20001], '│ 10.0.78.31  │ 19999 │');
});

test('streamed: measured in a first pass, written a line at a time; headings stand left over right-aligned columns', () => {
  const data = [['a', '5'], ['bbbb', '123']];
  const columns = [{ head: 'Name' }, { head: 'Number', right: true }];
  const rows = { count: data.length, cells: (r: number, into: string[]) => { into[0] = data[r]![0]!; into[1] = data[r]![1]!; } };
  const widths = measureBoxTable(columns, rows);
  assert.deepStrictEqual(widths, [4, 6]);
  const writes: string[] = [];
  writeBoxTable((t) => writes.push(t), columns, rows, widths);
  assert.deepStrictEqual(writes, [
    '┌──────┬────────┐\n│ Name │ Number │\n',
    '│ a    │      5 │\n',
    '│ bbbb │    123 │\n',
    '└──────┴────────┘\n',
  ]);
  assert.equal(writes.join(''), viaCliTable3(['Name', 'Number'], data.map(([a, n]) => [a!, { hAlign: 'right', content: n! }])));
});
