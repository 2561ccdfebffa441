import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WordIds } from '../../src/aggregate/word-ids.js';

for (const width of [1, 4]) {
  test(`keys of ${width} word(s): each keeps its id through many grows; an unknown key is -1`, () => {
    const table = new WordIds(width, 2);
    const key = (n: number): Int32Array => Int32Array.from({ length: width }, (_, j) => (j === width - 1 ? n : -n * (j + 7)));
    const ids: number[] = [];
    for (let n = 0; n < 5000; n++) {
      const k = key(n * 2654435761);
      assert.equal(table.get(k, 0), -1);
      ids.push(table.set(k, 0, n + 100));
    }
    assert.deepStrictEqual(ids.slice(0, 3), [100, 101, 102]);
    const found = Array.from({ length: 5000 }, (_, n) => table.get(key(n * 2654435761), 0));
    assert.deepStrictEqual(found, Array.from({ length: 5000 }, (_, n) => n + 100));
    assert.equal(table.get(key(7), 0), -1);
    // a key read from inside a longer array, at an offset
    const words = new Int32Array(3 + width);
    words.set(key(0), 3);
    assert.equal(table.get(words, 3), 100);
  });
}
