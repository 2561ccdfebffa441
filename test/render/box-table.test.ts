import { test } from 'node:test';
import assert from 'node:assert/strict';
import Table from 'cli-table3';
import { boxTableWidth, cutVisible, DROPPED, fitBoxTable, measureBoxTable, renderBoxTable, writeBoxTable, type BoxCell } from '../../src/render/box-table.js';

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
  assert.deepStrictEqual(widths, [4, 3]);
  const writes: string[] = [];
  writeBoxTable((t) => writes.push(t), columns, rows, fitBoxTable(columns, widths, undefined));
  assert.deepStrictEqual(writes, [
    '┌──────┬────────┐\n│ Name │ Number │\n',
    '│ a    │      5 │\n',
    '│ bbbb │    123 │\n',
    '└──────┴────────┘\n',
  ]);
  assert.equal(writes.join(''), viaCliTable3(['Name', 'Number'], data.map(([a, n]) => [a!, { hAlign: 'right', content: n! }])));
});

test('fitting a width: short headings first, then columns dropped in their order, then cut in tiers (widest first), never below min', () => {
  const columns = [
    { head: 'Name' },
    { head: 'Long heading', short: 'LH', cut: 1, min: 4 },
    { head: 'Extra', drop: 1 },
    { head: 'More', drop: 0 },
    { head: 'Address', cut: 2, min: 6 },
  ];
  const cells = [4, 10, 5, 4, 12];
  // as measured: 1 + (4+3) + (12+3) + (5+3) + (4+3) + (12+3) = 53
  assert.equal(boxTableWidth(fitBoxTable(columns, cells, undefined)), 53);
  assert.deepStrictEqual(fitBoxTable(columns, cells, 53), [4, 12, 5, 4, 12]);
  // 46: More goes (46), and the long heading comes back since it fits
  assert.deepStrictEqual(fitBoxTable(columns, cells, 46), [4, 12, 5, DROPPED, 12]);
  // 36: both droppable columns go and the heading is short: it fits uncut
  assert.deepStrictEqual(fitBoxTable(columns, cells, 36), [4, 10, DROPPED, DROPPED, 12]);
  // 26: tier 1 down to its min, then the address; 20: nothing is cut below min
  assert.deepStrictEqual(fitBoxTable(columns, cells, 26), [4, 4, DROPPED, DROPPED, 8]);
  assert.deepStrictEqual(fitBoxTable(columns, cells, 20), [4, 4, DROPPED, DROPPED, 6]);
  assert.equal(cutVisible('10.1.0.1:8080', 8), '10.1.0.~');
  assert.equal(cutVisible('\u001b[33m10.1.0.1:8080\u001b[39m', 8), '10.1.0.~');
  assert.equal(cutVisible('short', 8), 'short');
});

test('a fitted table leaves dropped columns out, cuts long cells with ~ and uses the short heading', () => {
  const columns = [{ head: 'Addr', cut: 1, min: 5 }, { head: 'Flags', drop: 0 }, { head: 'Bytes', short: 'B', right: true }];
  const data = [['10.1.0.2:38658', 'A m=1', '65 KiB']];
  const rows = { count: 1, cells: (r: number, into: string[]) => data[r]!.forEach((c, i) => (into[i] = c)) };
  let out = '';
  writeBoxTable((t) => (out += t), columns, rows, fitBoxTable(columns, measureBoxTable(columns, rows), 20));
  assert.equal(out, ['┌─────────┬────────┐', '│ Addr    │ Bytes  │', '│ 10.1.0~ │ 65 KiB │', '└─────────┴────────┘', ''].join('\n'));
});
