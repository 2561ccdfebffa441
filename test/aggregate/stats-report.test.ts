import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanOfConn } from '../../src/parse/conn-bytes.js';
import { buildStatsReport } from '../../src/aggregate/stats-report.js';
import { createTableStats } from '../../src/aggregate/table-stats.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseConntrackStats } from '../../src/parse/kernel-stats.js';

const lines = [
  'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 [ASSURED] mark=0 use=1',
  'tcp      6 119 SYN_SENT src=10.0.0.1 dst=10.0.0.3 sport=1001 dport=80 [UNREPLIED] src=10.0.0.3 dst=10.0.0.1 sport=80 dport=1001 mark=0 use=1',
  'udp      17 29 src=10.0.0.4 dst=10.0.0.2 sport=53 dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.4 sport=53 dport=53 mark=5 zone=9 use=1',
  'udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=54 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=54 mark=0 use=1',
];

function table() {
  const s = createTableStats();
  for (const l of lines) s.add(scanOfConn(parseConnLine(l)!));
  return s.finish();
}

test('fill is count over max, and the replied fill leaves UNREPLIED entries out', () => {
  const r = buildStatsReport({ table: table(), count: 4, max: 8 });
  assert.deepStrictEqual([r.entries, r.replied, r.count, r.max, r.fill_percent, r.replied_fill_percent], [4, 2, 4, 8, 50, 25]);
  assert.deepStrictEqual(r.status, { assured: 1, unreplied: 2, offload: 0, hw_offload: 0 });
  assert.deepStrictEqual(r.breakdown, { 'ipv4/udp/-': 2, 'ipv4/tcp/ESTABLISHED': 1, 'ipv4/tcp/SYN_SENT': 1 });
  assert.deepStrictEqual(r.top?.sources_by_connections, [
    { address: '10.0.0.1', connections: 3, bytes: 0 }, { address: '10.0.0.4', connections: 1, bytes: 0 },
  ]);
});

test('fill uses the kernel count when given, the entries read otherwise, three decimals', () => {
  assert.equal(buildStatsReport({ table: table(), count: 1, max: 3 }).fill_percent, 33.333);
  assert.equal(buildStatsReport({ table: table(), max: 262144 }).fill_percent, 0.002);
  const r = buildStatsReport({ table: table() });
  assert.deepStrictEqual([r.count, r.max, r.fill_percent, r.replied_fill_percent], [undefined, undefined, undefined, undefined]);
});

test('a counters-only report has no entries and the kernel counters, per CPU only when asked', () => {
  const counters = parseConntrackStats('cpu=0 found=1 insert=2\ncpu=1 found=3 insert=4\n')!;
  const r = buildStatsReport({ table: undefined, counters });
  assert.deepStrictEqual([r.entries, r.top, r.kernel_counters, r.per_cpu], [undefined, undefined, { found: 4, insert: 6 }, undefined]);
  assert.deepStrictEqual(buildStatsReport({ table: undefined, counters, perCpu: true }).per_cpu, [
    { cpu: 0, found: 1, insert: 2 }, { cpu: 1, found: 3, insert: 4 },
  ]);
});

test('with a filter, fill and replied fill stay whole-table while the breakdowns count matched entries', () => {
  const s = createTableStats();
  lines.forEach((l, i) => {
    const c = parseConnLine(l)!;
    if (i === 0 || i === 2) s.add(scanOfConn(c)); // the filter kept the first tcp and the unreplied udp
    else s.skip(c.unreplied);
  });
  const r = buildStatsReport({ table: s.finish(), count: 4, max: 8, filter: '--port 80,53' });
  assert.deepStrictEqual([r.entries, r.replied, r.filter, r.matched, r.count, r.fill_percent, r.replied_fill_percent], [4, 2, '--port 80,53', 2, 4, 50, 25]);
  assert.deepStrictEqual([r.families, r.status.unreplied, r.marks, r.zones], [{ ipv4: 2 }, 1, { 5: 1 }, { 9: 1 }]);
  const none = buildStatsReport({ table: table() });
  assert.deepStrictEqual([none.filter, none.matched], [undefined, 4]);
  assert.deepStrictEqual([buildStatsReport({ table: undefined, filter: '-p tcp' }).filter, buildStatsReport({ table: undefined }).matched], [undefined, undefined]);
});
