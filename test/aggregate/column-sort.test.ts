import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortByColumns, type SortColumn } from '../../src/aggregate/column-sort.js';

/** A repeatable pseudo-random sequence (xorshift32), so a failure can be run again. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** The comparator the columns spell: each in turn (descending when reversed), then record number. */
function comparator(columns: SortColumn[], reverse: boolean): (a: number, b: number) => number {
  const s = reverse ? -1 : 1;
  return (i, j) => {
    for (const c of columns) {
      const d = c[i]! - c[j]!;
      if (d !== 0) return s * d;
    }
    return i - j;
  };
}

function check(name: string, n: number, make: (next: () => number) => SortColumn[]): void {
  for (const reverse of [false, true]) {
    const columns = make(random(n + 7));
    const compare = comparator(columns, reverse);
    const want = Array.from({ length: n }, (_, i) => i).sort(compare);
    const order = Uint32Array.from({ length: n }, (_, i) => i);
    sortByColumns(order, columns, reverse, compare);
    assert.deepStrictEqual(Array.from(order), want, `${name}${reverse ? ', reversed' : ''}`);
  }
}

const floats = (n: number, next: () => number, value: (r: number) => number): Float64Array =>
  Float64Array.from({ length: n }, () => value(next()));

test('sorts as the comparator does, whatever the columns hold', () => {
  const n = 5000;
  check('wide integers (byte counts)', n, (next) => [floats(n, next, (r) => -Math.floor(r * 1e9)), floats(n, next, (r) => Math.floor(r * 100))]);
  check('few distinct values, then more columns', n, (next) => [
    floats(n, next, (r) => Math.floor(r * 3)), floats(n, next, (r) => Math.floor(r * 5)),
    floats(n, next, (r) => Math.floor(r * 40)), Uint16Array.from({ length: n }, () => Math.floor(next() * 3)),
  ]);
  check('every record equal in the first column', n, (next) => [new Float64Array(n).fill(-1), floats(n, next, (r) => Math.floor(r * 1000))]);
  check('records equal in every column (record-number order)', n, () => [new Float64Array(n).fill(4), new Uint16Array(n)]);
  check('negative zero beside zero', n, (next) => [floats(n, next, (r) => (r < 0.5 ? -0 : 0)), floats(n, next, (r) => Math.floor(r * 10))]);
  check('a range too wide to pack beside the record numbers', n, (next) => [floats(n, next, (r) => Math.floor(r * 2 ** 50) * (r < 0.5 ? -1 : 1)), floats(n, next, (r) => Math.floor(r * 4))]);
  check('values that are not integers', n, (next) => [floats(n, next, (r) => Math.floor(r * 20) / 4), floats(n, next, (r) => Math.floor(r * 4))]);
  check('runs of every length around the insertion sort\'s', n, (next) => [floats(n, next, (r) => Math.floor(r * 300)), floats(n, next, (r) => Math.floor(r * 7))]);
  check('no records', 0, () => [new Float64Array(0)]);
  check('one record', 1, () => [new Float64Array(1)]);
  check('no columns', 40, () => []);
});
