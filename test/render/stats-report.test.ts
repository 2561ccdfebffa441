import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanOfConn } from '../../src/parse/conn-bytes.js';
import { buildStatsReport } from '../../src/aggregate/stats-report.js';
import { createTableStats } from '../../src/aggregate/table-stats.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseConntrackStats } from '../../src/parse/kernel-stats.js';
import { createPalette } from '../../src/render/palette.js';
import { fillBar, formatPercent, renderStatsReport } from '../../src/render/stats-report.js';

const plain = createPalette(false);

test('the fill bar fills its share of 30 cells; any fill shows at least one', () => {
  assert.equal(fillBar(50, plain), `[${'█'.repeat(15)}${'░'.repeat(15)}] 50.0%`);
  assert.equal(fillBar(0.013, plain), `[█${'░'.repeat(29)}] 0.013%`);
  assert.equal(fillBar(0, plain), `[${'░'.repeat(30)}] 0%`);
  assert.equal(fillBar(120, plain, 4), '[████] 120.0%');
  assert.deepStrictEqual([formatPercent(9.5), formatPercent(33.333), formatPercent(0.002)], ['9.5%', '33.3%', '0.002%']);
});

test('the report shows entries, fill bars, breakdown tables, top talkers and counters', () => {
  const s = createTableStats();
  for (const l of [
    'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 [ASSURED] mark=3 use=1',
    'udp      17 29 src=10.0.0.4 dst=10.0.0.2 sport=53 dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.4 sport=53 dport=53 mark=0 zone=9 use=1',
  ]) s.add(scanOfConn(parseConnLine(l)!));
  const report = buildStatsReport({ table: s.finish(), count: 2, max: 4, counters: parseConntrackStats('cpu=0 drop=1\ncpu=1 drop=2\n'), perCpu: true });
  const text = renderStatsReport(report, plain);
  const expected = [
    'Entries  2 of 4',
    `Fill     [${'█'.repeat(15)}${'░'.repeat(15)}] 50.0%`,
    `Replied  [${'█'.repeat(8)}${'░'.repeat(22)}] 25.0%  (without UNREPLIED entries)`,
    'Status   assured 1, unreplied 1, offload 0, hw_offload 0',
    'NAT      snat 0, dnat 0, both 0, none 2',
    '',
    '┌────────┬─────────┬────────┐',
    '│ Family │ Entries │ Share  │',
    '│ ipv4   │       2 │ 100.0% │',
    '└────────┴─────────┴────────┘',
  ].join('\n');
  assert.equal(text.slice(0, expected.length), expected);
  for (const part of ['│ tcp      │ ESTABLISHED │       1 │ 100.0% │', '│ Zone │', '│ 9    │       1 │ 50.0% │', '│ Mark │', '│ 3    │',
    '│ Top sources │', '│ 10.0.0.1    │     1 │   0 B │', '│ Counter │ cpu0 │ cpu1 │ Total │', '│ drop    │    1 │    2 │     3 │']) {
    assert.ok(text.includes(part), `missing ${part}\n${text}`);
  }
  assert.equal(text.includes('by bytes'), false); // no accounting: no byte rankings
});

test('a counters-only report shows only the counters', () => {
  const text = renderStatsReport(buildStatsReport({ table: undefined, counters: parseConntrackStats('cpu=0 drop=1\n') }), plain);
  assert.equal(text, '┌────────────────┬───────┐\n│ Kernel counter │ Total │\n│ drop           │     1 │\n└────────────────┴───────┘\n');
});

test('a filtered report says N of M entries match, under the whole-table fill, with shares of the matched ones', () => {
  const s = createTableStats();
  s.add(scanOfConn(parseConnLine('tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 [ASSURED] mark=0 use=1')!));
  s.skip(true);
  s.skip(false);
  const text = renderStatsReport(buildStatsReport({ table: s.finish(), count: 3, max: 6, filter: '--dport 80' }), plain);
  assert.equal(text.split('\n').slice(0, 11).join('\n'), [
    'Entries  3 of 6',
    `Fill     [${'█'.repeat(15)}${'░'.repeat(15)}] 50.0%`,
    `Replied  [${'█'.repeat(10)}${'░'.repeat(20)}] 33.3%  (without UNREPLIED entries)`,
    'Filtered 1 of 3 entries match --dport 80; the figures below count only these',
    'Status   assured 1, unreplied 0, offload 0, hw_offload 0',
    'NAT      snat 0, dnat 0, both 0, none 1',
    '',
    '┌────────┬─────────┬────────┐',
    '│ Family │ Entries │ Share  │',
    '│ ipv4   │       1 │ 100.0% │',
    '└────────┴─────────┴────────┘',
  ].join('\n'));
});
