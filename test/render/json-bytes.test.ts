import { test } from 'node:test';
import assert from 'node:assert/strict';
import { num, written } from '../../src/render/json-bytes.js';

function text(n: number): string {
  const buf = new Uint8Array(32);
  written.bad = false;
  const end = num(buf, 0, n);
  return written.bad ? 'bad' : Buffer.from(buf.subarray(0, end)).toString('latin1');
}

// num() counts a number's digits by comparisons: every length, on both sides of each power of ten
test('num writes every safe non-negative integer as JSON.stringify does, at every digit count', () => {
  const numbers: number[] = [0, 1, 9, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
  for (let e = 1; e <= 15; e++) numbers.push(10 ** e - 1, 10 ** e, 10 ** e + 1);
  for (const n of numbers) assert.equal(text(n), JSON.stringify(n), String(n));
});

test('num leaves what JSON.stringify would not print as digits to the string writer', () => {
  assert.deepStrictEqual([-1, 1.5, 2 ** 53, NaN].map(text), ['bad', 'bad', 'bad', 'bad']);
});
