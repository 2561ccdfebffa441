import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { TopK } from '../../src/aggregate/top-k.js';

it('keeps exactly the k best of any sequence, best first', () => {
  fc.assert(
    fc.property(fc.array(fc.integer()), fc.nat(20), (xs, k) => {
      const top = new TopK<number>(k, (a, b) => b - a);
      for (const x of xs) top.push(x);
      assert.deepEqual(top.sorted(), [...xs].sort((a, b) => b - a).slice(0, k));
    }),
  );
});
