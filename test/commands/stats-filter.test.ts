// `ctflow stats` with list's filters: the table-derived figures count matching entries only, the
// whole-table figures (entries, replied, the kernel's count/max/fill) stay whole, and every output
// says which is which. Expected values are the nat-router MANIFEST rows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';

const NAT = fixture('nat-router/proc_nf_conntrack.txt');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-stats-filter-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

test('without a filter, filter is null and matched equals entries', async () => {
  const j = JSON.parse((await runCli(['stats', '--file', NAT, '--json'])).stdout);
  assert.deepStrictEqual([j.entries, j.replied, j.filter, j.matched], [34, 28, null, 34]);
});

test('-f ipv6: breakdowns, status, NAT, marks, traffic and talkers of the 8 IPv6 entries; entries and replied stay the table’s', async () => {
  const r = await runCli(['stats', '--file', NAT, '--json', '--top', '1', '-f', 'ipv6']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const talker = (address: string, connections: number, bytes: number) => [{ address, connections, bytes }];
  assert.deepStrictEqual(JSON.parse(r.stdout), {
    entries: 34, replied: 28, filter: '--family ipv6', matched: 8,
    count: null, max: null, fill_percent: null, replied_fill_percent: null,
    families: { ipv6: 8 },
    protocols: { tcp: 4, icmpv6: 2, udp: 2 },
    states: { tcp: { ESTABLISHED: 1, FIN_WAIT: 1, SYN_SENT: 1, TIME_WAIT: 1 } },
    breakdown: {
      'ipv6/icmpv6/-': 2, 'ipv6/udp/-': 2, 'ipv6/tcp/ESTABLISHED': 1, 'ipv6/tcp/FIN_WAIT': 1, 'ipv6/tcp/SYN_SENT': 1, 'ipv6/tcp/TIME_WAIT': 1,
    },
    // MANIFEST rows 18, 29, 34 are the unreplied IPv6 ones; 25, 30, 33 assured
    status: { assured: 3, unreplied: 3, offload: 0, hw_offload: 0 },
    nat: { snat: 8, dnat: 0, both: 0, none: 0 },
    zones: {},
    marks: { 1: 1, 23552: 1, 4294967295: 1 },
    packets: 32, bytes: 5790,
    top: {
      sources_by_connections: talker('fd00:a1::2', 8, 5790),
      destinations_by_connections: talker('fd00:a2::2', 6, 5578),
      sources_by_bytes: talker('fd00:a1::2', 8, 5790),
      destinations_by_bytes: talker('fd00:a2::2', 6, 5578),
    },
    kernel_counters: null, per_cpu: null,
  });
});

test('every list filter, in each spelling, narrows the breakdowns to the entries list would show', async () => {
  // [args, --json filter text, matched entries (nat-router MANIFEST)]
  const cases: Array<[string[], string, number]> = [
    [['-p', 'tcp'], '--proto tcp', 21], [['--proto', 'udp'], '--proto udp', 7],
    [['--state', 'TIME_WAIT'], '--state TIME_WAIT', 8],
    [['-s', '10.1.0.0/24'], '--src 10.1.0.0/24', 25], [['--src', 'fd00:a1::2'], '--src fd00:a1::2', 8],
    [['-d', '10.2.0.3'], '--dst 10.2.0.3', 2], [['--dst', '10.1.0.1'], '--dst 10.1.0.1', 8],
    [['-r', '10.2.0.2'], '--reply-src 10.2.0.2', 22], [['--reply-src', 'fd00:a2::3'], '--reply-src fd00:a2::3', 2],
    [['-q', '10.1.0.2'], '--reply-dst 10.1.0.2', 2], [['--reply-dst', '10.2.0.1'], '--reply-dst 10.2.0.1', 24],
    [['--sport', '43426'], '--sport 43426', 1], [['--dport', '80'], '--dport 80', 3],
    [['--reply-port-src', '80'], '--reply-port-src 80', 4], [['--reply-port-dst', '38040'], '--reply-port-dst 38040', 1],
    [['--port', '53'], '--port 53', 3],
    [['-m', '23552'], '--mark 23552', 4], [['--mark', '0x1/0xff'], '--mark 0x1/0xff', 3],
    [['-w', '42'], '--zone 42', 1], [['--zone', '0'], '--zone 0', 33],
    [['-u', 'UNREPLIED'], '--status UNREPLIED', 6], [['--status', 'ASSURED'], '--status ASSURED', 19],
    [['--snat'], '--snat', 31], [['--dnat'], '--dnat', 6], [['--nat'], '--nat', 31],
    [['-f', 'ipv6'], '--family ipv6', 8], [['--family', 'ipv4'], '--family ipv4', 26],
    [['-p', 'tcp', '--state', 'TIME_WAIT,ESTABLISHED', '-f', 'ipv4'], '--proto tcp --state TIME_WAIT,ESTABLISHED --family ipv4', 11],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(['stats', '--file', NAT, '--json', ...args])));
  cases.forEach(([args, text, matched], i) => {
    const r = results[i]!;
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.deepStrictEqual([j.entries, j.replied, j.filter, j.matched], [34, 28, text, matched], args.join(' '));
    assert.deepStrictEqual([sum(j.families), sum(j.breakdown), j.nat.snat + j.nat.dnat + j.nat.both + j.nat.none], [matched, matched, matched], args.join(' '));
    assert.equal(j.top.sources_by_connections.reduce((n: number, t: { connections: number }) => n + t.connections, 0), matched, args.join(' '));
  });
});

test('the report says how many entries matched, and its shares are of those', async () => {
  const r = await runCli(['stats', '--file', NAT, '-p', 'tcp', '--state', 'TIME_WAIT,ESTABLISHED', '--top', '1', '--wide']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepStrictEqual(r.stdout.split('\n').slice(0, 17), [
    'Entries  34',
    'Filtered 13 of 34 entries match --proto tcp --state TIME_WAIT,ESTABLISHED; the figures below count only these',
    'Status   assured 13, unreplied 0, offload 0, hw_offload 0',
    'NAT      snat 7, dnat 0, both 5, none 1',
    'Traffic  168 packets, 133 KiB',
    '',
    '┌────────┬─────────┬───────┐',
    '│ Family │ Entries │ Share │',
    '│ ipv4   │      11 │ 84.6% │',
    '│ ipv6   │       2 │ 15.4% │',
    '└────────┴─────────┴───────┘',
    '',
    '┌──────────┬─────────┬────────┐',
    '│ Protocol │ Entries │ Share  │',
    '│ tcp      │      13 │ 100.0% │',
    '└──────────┴─────────┴────────┘',
    '',
  ]);
  assert.match(r.stdout, /│ tcp +│ TIME_WAIT +│ +8 │ 61\.5% │/);
});

test('a filter that matches nothing: 0 of 34, empty breakdowns, no tables', async () => {
  const text = await runCli(['stats', '--file', NAT, '--dport', '9999']);
  assert.equal(text.stdout, [
    'Entries  34',
    'Filtered 0 of 34 entries match --dport 9999; the figures below count only these',
    'Status   assured 0, unreplied 0, offload 0, hw_offload 0',
    'NAT      snat 0, dnat 0, both 0, none 0',
    '',
  ].join('\n'));
  const j = JSON.parse((await runCli(['stats', '--file', NAT, '--dport', '9999', '--json'])).stdout);
  assert.deepStrictEqual([j.entries, j.matched, j.families, j.breakdown, j.packets, j.top.sources_by_connections], [34, 0, {}, {}, null, []]);
});

test('filters are refused where they cannot apply: --prom, --prom-file, --netdata, a kernel counters file (exit 2, nothing written)', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'ctflow.prom');
  const cases: Array<[string[], string]> = [
    [['--file', NAT, '--prom', '--state', 'SYN_SENT'],
      'ctflow: --prom/--prom-file: export whole-table figures only, got the filter --state SYN_SENT (use --json for filtered figures)\n'],
    [['--file', NAT, '--prom-file', target, '-p', 'udp'],
      'ctflow: --prom/--prom-file: export whole-table figures only, got the filter --proto udp (use --json for filtered figures)\n'],
    [['--netdata', 'http://127.0.0.1:1', '--dnat'], "ctflow: --netdata: reads the agent's whole-table count, got the filter --dnat\n"],
    [['--file', fixture('nat-router/conntrack_S.txt'), '--snat'],
      `ctflow: ${fixture('nat-router/conntrack_S.txt')}: holds kernel counters, which have no entries to filter, got the filter --snat\n`],
    [['--file', NAT, '--dport', '70000'], 'ctflow: --dport: a port must be a number from 0 to 65535, got "70000"\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCli(['stats', ...args]);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', stderr], args.join(' '));
  }
  assert.equal(existsSync(target), false);
});

test('--interval with a filter samples the matching entries and says so', async () => {
  const json = await runCli(['stats', '--file', NAT, '--interval', '0.1', '--count', '2', '--json', '-u', 'UNREPLIED']);
  assert.equal(json.code, 0, json.stderr);
  const j = JSON.parse(json.stdout);
  assert.deepStrictEqual([j.labels, j.data.map((row: number[]) => row[1]), j.states[0][1], j.filter], [
    ['time', 'connections'], [6, 6], { udp: 2, 'tcp/SYN_SENT': 2, icmp: 1, icmpv6: 1 }, '--status UNREPLIED',
  ]);
  const text = await runCli(['stats', '--file', NAT, '--interval', '0.1', '--count', '1', '-u', 'UNREPLIED']);
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'counting entries that match --status UNREPLIED');
  assert.match(lines[1]!, /^\d\d:\d\d:\d\d\.\d{3} +6  ▁  tcp\/SYN_SENT 2  udp 2  icmp 1  icmpv6 1$/);
  assert.equal(lines.length, 2);
});

test('-f with --exec filters here and never reaches conntrack: entries stay the whole table', async (t) => {
  const dir = tempDir(t);
  const argv = join(dir, 'argv.txt');
  const fake = join(dir, 'conntrack');
  writeFileSync(fake, `#!/bin/sh\necho "$@" > '${argv}'\ncat '${fixture('nat-router/conntrack_L_o_extended.txt')}'\n`);
  chmodSync(fake, 0o755);
  const r = await runCli(['stats', '--exec', '--conntrack-bin', fake, '--json', '-f', 'ipv6']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepStrictEqual([j.entries, j.matched, j.families, j.filter], [34, 8, { ipv6: 8 }, '--family ipv6']);
  assert.equal(readFileSync(argv, 'utf8'), '-L -o extended\n');
});
