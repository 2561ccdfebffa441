import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sparkline } from '../../src/render/sparkline.js';

test('scales a series between its own min and max', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([100, 107, 100]), '▁█▁');
});

test('a flat series sits at the bottom; an empty one is empty', () => {
  assert.equal(sparkline([5, 5, 5]), '▁▁▁');
  assert.equal(sparkline([]), '');
});

test('keeps only the newest values that fit the width', () => {
  assert.equal(sparkline([9, 9, 9, 0, 7], 2), '▁█');
});
