import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPalette } from '../../src/render/palette.js';
import { renderSeries, sampleLine, seriesChart } from '../../src/render/series-view.js';

const plain = createPalette(false);
// times for people are local: these expectations are UTC's
process.env.TZ = 'UTC';

test('a sample line shows the time, the count, the sparkline and the biggest states', () => {
  const line = sampleLine({ time: 1795510884.2, connections: 42, states: { udp: 2, 'tcp/ESTABLISHED': 30, 'tcp/TIME_WAIT': 10 } }, [40, 41, 42], plain);
  assert.equal(line, '09:01:24.200       42  ▁▅█  tcp/ESTABLISHED 30  tcp/TIME_WAIT 10  udp 2');
});

test('a netdata series is summarised oldest to newest, with a chart when asked', () => {
  const series = { labels: ['time', 'connections'] as ['time', 'connections'], data: [[1795510886, 3], [1795510885, 1], [1795510884, 2]] as Array<[number, number]> };
  assert.equal(renderSeries(series, 'http://nd', plain, undefined),
    'Connections from http://nd, 2026-11-24 09:01:24 → 2026-11-24 09:01:26 (3 samples)\nnow 3  min 1  max 3  ▅▁█\n');
  assert.equal(renderSeries({ labels: ['time', 'connections'], data: [] }, 'http://nd', plain, undefined), 'http://nd: no samples in the requested range\n');
  assert.equal(seriesChart([2, 1, 3], 3, 3), '3 ┤  █\n  ┤█ █\n1 ┤███');
  assert.equal(seriesChart([1, 1, 5, 5], 2, 2), '5 ┤ █\n1 ┤██');
});
