import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleTable, stateKey, type Sample } from '../../src/aggregate/sampler.js';

/** A fake clock: sleeping advances it, taking a sample costs `cost` ms. */
function clock(start: number, cost: number) {
  let t = start;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    take: (counts: number[]) => {
      let i = 0;
      return async () => {
        t += cost;
        const n = counts[i++]!;
        return { connections: n, states: { 'tcp/ESTABLISHED': n } };
      };
    },
    waits,
  };
}

test('takes N samples an interval apart, scheduled from the start so a slow read does not drift', async () => {
  const c = clock(1_000_000, 30);
  const seen: Array<[number, number]> = [];
  const samples = await sampleTable(c.take([5, 6, 7]), { intervalMs: 200, count: 3, now: c.now, sleep: c.sleep }, (s, i) => seen.push([i, s.connections]));
  assert.deepStrictEqual(samples, [
    { time: 1000.03, connections: 5, states: { 'tcp/ESTABLISHED': 5 } },
    { time: 1000.23, connections: 6, states: { 'tcp/ESTABLISHED': 6 } },
    { time: 1000.43, connections: 7, states: { 'tcp/ESTABLISHED': 7 } },
  ] satisfies Sample[]);
  assert.deepStrictEqual(c.waits, [170, 170]);
  assert.deepStrictEqual(seen, [[0, 5], [1, 6], [2, 7]]);
});

test('keeps timestamps increasing when two samples land in the same millisecond', async () => {
  const c = clock(5000, 0);
  const samples = await sampleTable(c.take([1, 1]), { intervalMs: 0, count: 2, now: c.now, sleep: c.sleep }, () => undefined);
  assert.deepStrictEqual(samples.map((s) => s.time), [5, 5.001]);
});

test('stops early when told to', async () => {
  const c = clock(0, 1);
  let taken = 0;
  const samples = await sampleTable(async () => ({ connections: ++taken, states: {} }), {
    intervalMs: 10, count: undefined, now: c.now, sleep: c.sleep, stopped: () => taken >= 4,
  }, () => undefined);
  assert.deepStrictEqual(samples.map((s) => s.connections), [1, 2, 3, 4]);
});

test('names states protocol/STATE and stateless protocols by name', () => {
  assert.deepStrictEqual([stateKey('tcp', 'ESTABLISHED'), stateKey('udp', undefined)], ['tcp/ESTABLISHED', 'udp']);
});
