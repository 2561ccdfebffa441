import assert from 'node:assert/strict';
import { test } from 'node:test';
import Table from 'cli-table3';
import fc from 'fast-check';
import { renderBoxTable, type BoxCell } from '../../src/render/box-table.js';

function viaCliTable3(head: string[], rows: BoxCell[][]): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

const plain = fc.array(fc.constantFrom('a', 'Z', '0', ' ', ':', '[', ']', '-', '→'), { maxLength: 12 }).map((xs) => xs.join(''));
const colour = fc.constantFrom([1, 22], [36, 39], [33, 39], [2, 22], [1, 39], [36, 22]);
const text = fc.oneof(plain, fc.tuple(colour, plain).map(([[open, close], t]) => `\x1b[${open}m${t}\x1b[${close}m`));

test('draws exactly what cli-table3 draws (left and right aligned, coloured, empty)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(fc.tuple(text, fc.boolean()), { minLength: 5, maxLength: 5 }), { maxLength: 6 }), fc.array(text, { minLength: 5, maxLength: 5 }), (columns, raw, headRaw) => {
      const head = headRaw.slice(0, columns);
      const rows: BoxCell[][] = raw.map((r) => r.slice(0, columns).map(([t, right]) => (right ? { hAlign: 'right' as const, content: t } : t)));
      const drawn = renderBoxTable(head, rows);
      if (drawn !== undefined) assert.equal(drawn, viaCliTable3(head, rows));
    }),
    { numRuns: 500, seed: 3 },
  );
});

test('draws plain and chalk-coloured cells itself', () => {
  const head = ['\x1b[1mProto\x1b[22m', 'Conns'];
  const rows: BoxCell[][] = [['\x1b[36mtcp\x1b[39m', { hAlign: 'right', content: '12' }], ['udp → x', { hAlign: 'right', content: '1' }]];
  assert.equal(renderBoxTable(head, rows), viaCliTable3(head, rows));
  assert.equal(renderBoxTable(['a', 'b'], []), viaCliTable3(['a', 'b'], []));
});

test('declines what it cannot measure, so the caller uses cli-table3', () => {
  assert.equal(renderBoxTable(['a'], [['名前']]), undefined);
  assert.equal(renderBoxTable(['a'], [['two\nlines']]), undefined);
  assert.equal(renderBoxTable(['a', 'b'], [['x']]), undefined);
  assert.equal(renderBoxTable(['a'], [['\x1b[36mx']]), undefined);
  assert.equal(renderBoxTable(['a'], [['\x1b[36mx\x1b[22m']]), undefined);
});
