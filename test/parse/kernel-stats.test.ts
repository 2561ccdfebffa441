import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isKernelStatsText, parseConntrackStats, parseKernelStats, parseProcStat } from '../../src/parse/kernel-stats.js';

const kernel = (p: string): string => readFileSync(new URL(`../../../fixtures/kernel/${p}`, import.meta.url), 'utf8');

const PROC_NAMES = [
  'entries', 'clash_resolve', 'found', 'new', 'invalid', 'ignore', 'delete', 'chaintoolong', 'insert',
  'insert_failed', 'drop', 'early_drop', 'error', 'expect_new', 'expect_create', 'expect_delete', 'search_restart',
];

function zeros(names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, 0]));
}

test('reads the hex /proc/net/stat/nf_conntrack capture of the inserted table per CPU and summed', () => {
  const stats = parseProcStat(kernel('inserted/proc_net_stat_nf_conntrack.txt'));
  assert.deepStrictEqual(stats, {
    source: 'proc',
    names: PROC_NAMES,
    perCpu: [
      { cpu: 0, counters: { ...zeros(PROC_NAMES), entries: 29, insert: 8 } },
      { cpu: 1, counters: { ...zeros(PROC_NAMES), entries: 29, insert: 21 } },
    ],
    // entries is the global count repeated on every row: taken once, not doubled
    total: { ...zeros(PROC_NAMES), entries: 29, insert: 29 },
  });
});

test('sums the expectation counters of the nat-router capture and the invalid counter of proto-zoo', () => {
  assert.deepStrictEqual(parseProcStat(kernel('nat-router/proc_net_stat_nf_conntrack.txt'))?.total,
    { ...zeros(PROC_NAMES), entries: 34, expect_new: 2, expect_create: 3, expect_delete: 2 });
  assert.deepStrictEqual(parseProcStat(kernel('proto-zoo/proc_net_stat_nf_conntrack.txt'))?.total,
    { ...zeros(PROC_NAMES), entries: 35, invalid: 2 });
  assert.deepStrictEqual(parseProcStat(kernel('local-host/proc_net_stat_nf_conntrack.txt'))?.total,
    { ...zeros(PROC_NAMES), entries: 20 });
});

const S_NAMES = ['found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'error', 'search_restart', 'clash_resolve', 'chaintoolong'];

test('reads conntrack -S text per CPU and summed, agreeing with the proc capture of the same table', () => {
  const stats = parseConntrackStats(kernel('inserted/conntrack_S.txt'));
  assert.deepStrictEqual(stats, {
    source: 'conntrack',
    names: S_NAMES,
    perCpu: [
      { cpu: 0, counters: { ...zeros(S_NAMES), insert: 8 } },
      { cpu: 1, counters: { ...zeros(S_NAMES), insert: 21 } },
    ],
    total: { ...zeros(S_NAMES), insert: 29 },
  });
  const proc = parseProcStat(kernel('inserted/proc_net_stat_nf_conntrack.txt'))!;
  for (const name of S_NAMES) assert.equal(stats!.total[name], proc.total[name], name);
});

test('merges conntrack -S expect lines into the same CPUs', () => {
  const text = kernel('nat-router/conntrack_S.txt') + kernel('nat-router/conntrack_S_expect.txt');
  const stats = parseConntrackStats(text)!;
  assert.deepStrictEqual(stats.perCpu.map((r) => [r.cpu, r.counters.expect_create]), [[0, 3], [1, 0]]);
  assert.deepStrictEqual([stats.total.expect_new, stats.total.expect_create, stats.total.expect_delete], [2, 3, 2]);
  assert.equal(stats.names.length, 13);
});

test('reads a column a newer kernel adds, by its header name', () => {
  const text = 'entries  found  brand_new\n00000002  0000000a 000000ff\n00000002  00000001 00000001\n';
  assert.deepStrictEqual(parseProcStat(text), {
    source: 'proc',
    names: ['entries', 'found', 'brand_new'],
    perCpu: [
      { cpu: 0, counters: { entries: 2, found: 10, brand_new: 255 } },
      { cpu: 1, counters: { entries: 2, found: 1, brand_new: 1 } },
    ],
    total: { entries: 2, found: 11, brand_new: 256 },
  });
});

test('refuses texts that are not kernel stats', () => {
  const cases = [
    '',
    'entries found\n',                             // no rows
    '0000001d 00000000\n0000001d 00000000\n',       // no header
    'entries found\n0000001d\n',                   // row shorter than the header
    'entries found\n0000001d zz\n',                // not hex
    kernel('inserted/proc_nf_conntrack.txt'),
  ];
  for (const text of cases) assert.equal(parseProcStat(text), undefined, JSON.stringify(text.slice(0, 30)));
  for (const text of ['', 'found=1\n', 'cpu=x found=1\n', 'cpu=0 found=1x\n', 'cpu=0 found\n']) {
    assert.equal(parseConntrackStats(text), undefined, text);
  }
});

test('tells the two formats apart by their first line', () => {
  assert.equal(parseKernelStats(kernel('inserted/conntrack_S.txt'))?.source, 'conntrack');
  assert.equal(parseKernelStats(kernel('inserted/proc_net_stat_nf_conntrack.txt'))?.source, 'proc');
  assert.equal(parseKernelStats('\n\n'), undefined);
  assert.deepStrictEqual(
    ['cpu=0   \tfound=0', 'entries  clashres found', 'ipv4     2 tcp      6 431999 ESTABLISHED', 'tcp 6 1 CLOSE src=1.2.3.4'].map(isKernelStatsText),
    [true, true, false, false],
  );
});
