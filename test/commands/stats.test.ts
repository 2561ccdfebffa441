import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, copyFileSync, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';
import { startCli } from '../helpers/live.js';

const NAT = fixture('nat-router/proc_nf_conntrack.txt');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('stats --json on the nat-router capture gives its MANIFEST figures; kernel figures are null for a file', async () => {
  const r = await runCli(['stats', '--file', NAT, '--json', '--top', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout);
  assert.deepStrictEqual(
    [j.entries, j.replied, j.count, j.max, j.fill_percent, j.replied_fill_percent, j.kernel_counters, j.per_cpu],
    [34, 28, null, null, null, null, null, null],
  );
  assert.deepStrictEqual(j.families, { ipv4: 26, ipv6: 8 });
  assert.deepStrictEqual(j.protocols, { tcp: 21, udp: 7, icmp: 4, icmpv6: 2 });
  assert.deepStrictEqual(j.breakdown, {
    'ipv4/tcp/TIME_WAIT': 7, 'ipv4/udp/-': 5, 'ipv4/icmp/-': 4, 'ipv4/tcp/ESTABLISHED': 4, 'ipv6/icmpv6/-': 2, 'ipv6/udp/-': 2,
    'ipv4/tcp/CLOSE': 1, 'ipv4/tcp/CLOSE_WAIT': 1, 'ipv4/tcp/FIN_WAIT': 1, 'ipv4/tcp/LAST_ACK': 1, 'ipv4/tcp/SYN_RECV': 1,
    'ipv4/tcp/SYN_SENT': 1, 'ipv6/tcp/ESTABLISHED': 1, 'ipv6/tcp/FIN_WAIT': 1, 'ipv6/tcp/SYN_SENT': 1, 'ipv6/tcp/TIME_WAIT': 1,
  });
  assert.deepStrictEqual(j.status, { assured: 19, unreplied: 6, offload: 0, hw_offload: 0 });
  assert.deepStrictEqual(j.nat, { snat: 25, dnat: 0, both: 6, none: 3 });
  assert.deepStrictEqual(j.zones, { 42: 1 });
  assert.deepStrictEqual(j.marks, { 1: 3, 42: 1, 23552: 4, 4294967295: 2 });
  assert.deepStrictEqual([j.packets, j.bytes], [237, 146007]);
  assert.deepStrictEqual(j.top.sources_by_connections, [
    { address: '10.1.0.2', connections: 25, bytes: 140049 }, { address: 'fd00:a1::2', connections: 8, bytes: 5790 },
  ]);
  assert.equal(j.top.destinations_by_bytes.length, 2);
});

test('conntrack -L text of the same table gives the same figures as /proc', async () => {
  const a = JSON.parse((await runCli(['stats', '--file', NAT, '--json'])).stdout);
  const b = JSON.parse((await runCli(['stats', '--file', fixture('nat-router/conntrack_L.txt'), '--json'])).stdout);
  assert.deepStrictEqual(b, a);
});

test('--top defaults to 10 and 0 gives empty lists', async () => {
  const ten = JSON.parse((await runCli(['stats', '--file', fixture('inserted/proc_nf_conntrack.txt'), '--json'])).stdout);
  // inserted (MANIFEST rows): sources 192.0.2.10 x26, 2001:db8:a::11 x3; destinations .11 x21, .12 x5 (rows 12 14 24 25 28), ::12 x3
  assert.deepStrictEqual(ten.top.sources_by_connections.map((t: { address: string; connections: number }) => [t.address, t.connections]),
    [['192.0.2.10', 26], ['2001:db8:a::11', 3]]);
  assert.deepStrictEqual(ten.top.destinations_by_connections.map((t: { address: string; connections: number }) => [t.address, t.connections]),
    [['192.0.2.11', 21], ['192.0.2.12', 5], ['2001:db8:a::12', 3]]);
  const none = JSON.parse((await runCli(['stats', '--file', fixture('inserted/proc_nf_conntrack.txt'), '--json', '--top', '0'])).stdout);
  assert.deepStrictEqual(none.top, { sources_by_connections: [], destinations_by_connections: [], sources_by_bytes: [], destinations_by_bytes: [] });
});

test('a conntrack -S file is read as kernel counters, summed and with --per-cpu', async () => {
  const r = await runCli(['stats', '--file', fixture('inserted/conntrack_S.txt'), '--json', '--per-cpu']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const zero = { found: 0, invalid: 0, insert: 0, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 };
  assert.deepStrictEqual(j.kernel_counters, { ...zero, insert: 29 });
  assert.deepStrictEqual(j.per_cpu, [{ cpu: 0, ...zero, insert: 8 }, { cpu: 1, ...zero, insert: 21 }]);
  assert.deepStrictEqual([j.entries, j.top], [null, null]);
  const summed = JSON.parse((await runCli(['stats', '--file', fixture('inserted/conntrack_S.txt'), '--json'])).stdout);
  assert.equal(summed.per_cpu, null);
});

test('a /proc/net/stat/nf_conntrack file is read as kernel counters (proto-zoo: 2 invalid on cpu0)', async () => {
  const j = JSON.parse((await runCli(['stats', '--file', fixture('proto-zoo/proc_net_stat_nf_conntrack.txt'), '--json', '--per-cpu'])).stdout);
  assert.deepStrictEqual([j.kernel_counters.entries, j.kernel_counters.invalid, j.per_cpu[0].invalid, j.per_cpu[1].invalid], [35, 2, 2, 0]);
  const report = await runCli(['stats', '--file', fixture('nat-router/proc_net_stat_nf_conntrack.txt')]);
  assert.match(report.stdout, /│ expect_create +│ +3 │/);
});

test('the default report is a readable text with tables', async () => {
  const r = await runCli(['stats', '--file', NAT]);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.startsWith('Entries  34\nStatus   assured 19, unreplied 6, offload 0, hw_offload 0\nNAT      snat 25, dnat 0, both 6, none 3\nTraffic  237 packets, 143 KiB\n'), r.stdout);
  assert.match(r.stdout, /│ tcp +│ TIME_WAIT +│ +8 │ 38\.1% │/);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
});

test('--no-color wins over FORCE_COLOR; without it colours appear', async () => {
  const coloured = await runCli(['stats', '--file', NAT], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.match(coloured.stdout, /\x1b\[/);
  const plain = await runCli(['stats', '--file', NAT, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.doesNotMatch(plain.stdout, /\x1b\[/);
});

test('--prom prints the exposition text with the table figures', async () => {
  const r = await runCli(['stats', '--file', NAT, '--prom']);
  assert.equal(r.code, 0, r.stderr);
  for (const line of [
    '# TYPE ctflow_entries gauge', 'ctflow_entries 34', 'ctflow_replied_entries 28',
    'ctflow_entries_by_state{family="ipv4",protocol="tcp",state="TIME_WAIT"} 7',
    'ctflow_entries_by_protocol{family="ipv6",protocol="icmpv6"} 2', 'ctflow_entries_by_mark{mark="4294967295"} 2',
    'ctflow_entries_by_zone{zone="42"} 1', 'ctflow_entries_by_nat{nat="both"} 6', 'ctflow_bytes 146007',
  ]) assert.ok(r.stdout.split('\n').includes(line), line);
  assert.doesNotMatch(r.stdout, /ctflow_stats_timestamp_seconds/);
});

test('--prom-file writes the file atomically and prints nothing; with --json it prints too', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'ctflow.prom');
  const r = await runCli(['stats', '--file', NAT, '--prom-file', target]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, '', '']);
  const text = readFileSync(target, 'utf8');
  assert.match(text, /^ctflow_entries 34$/m);
  assert.match(text, /^ctflow_stats_timestamp_seconds \d{10}$/m);
  assert.deepStrictEqual(readdirSync(dir), ['ctflow.prom']);
  const both = await runCli(['stats', '--file', NAT, '--prom-file', target, '--json']);
  assert.equal(JSON.parse(both.stdout).entries, 34);
  const bad = await runCli(['stats', '--file', NAT, '--prom-file', join(dir, 'missing', 'x.prom')]);
  assert.deepStrictEqual([bad.code, bad.stderr], [1, `ctflow: ${join(dir, 'missing', 'x.prom')}: must be a writable file in an existing directory, got ENOENT\n`]);
});

test('--interval 0.2 --count 5 takes 5 samples with increasing timestamps, printed newest first', async () => {
  const before = Date.now() / 1000;
  const r = await runCli(['stats', '--file', NAT, '--interval', '0.2', '--count', '5', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepStrictEqual(j.labels, ['time', 'connections']);
  assert.equal(j.data.length, 5);
  const times = j.data.map((row: number[]) => row[0]);
  for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] > times[i], `newest first: ${times}`);
  assert.ok(times[4] >= Math.floor(before));
  assert.deepStrictEqual(j.data.map((row: number[]) => row[1]), [34, 34, 34, 34, 34]);
  assert.deepStrictEqual(j.states[0][1]['tcp/TIME_WAIT'], 8);
  assert.deepStrictEqual(j.states[0][1].udp, 7);
});

test('--interval without --json prints one live line per sample', async () => {
  const r = await runCli(['stats', '--file', NAT, '--interval', '0.1', '--count', '3']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  for (const [i, line] of lines.entries()) {
    assert.match(line, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +34  ${'▁'.repeat(i + 1)}  tcp/TIME_WAIT 8  udp 7  tcp/ESTABLISHED 5  icmp 4$`));
  }
});

test('--netdata URL --since S reads the series from an agent and prints it in the NethServer shape', async (t) => {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ labels: ['time', 'connections'], data: [[1795510886, 12], [1795510885, 11], [1795510884, null]] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = await runCli(['stats', '--netdata', base, '--since', '60', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepStrictEqual(JSON.parse(r.stdout), { labels: ['time', 'connections'], data: [[1795510886, 12], [1795510885, 11]] });
  const human = await runCli(['stats', '--netdata', base]);
  assert.equal(human.stdout, `Connections from ${base}, 2026-11-24 09:01:25 → 2026-11-24 09:01:26 (2 samples)\nnow 12  min 11  max 12  ▁█\n`);
  assert.deepStrictEqual(asked, [
    '/api/v1/data?chart=netfilter.conntrack_sockets&after=-60&format=json',
    '/api/v1/data?chart=netfilter.conntrack_sockets&after=-900&format=json',
  ]);
});

test('an unreachable netdata agent is one sentence and exit 1', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const r = await runCli(['stats', '--netdata', base, '--json']);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [1, '', `ctflow: netdata ${base}: must be reachable, got ECONNREFUSED\n`]);
});

test('reads the table from --stdin and from a fake conntrack with --exec and --conntrack-bin', async (t) => {
  const viaStdin = JSON.parse((await runCli(['stats', '--stdin', '--json'], { stdin: readFileSync(NAT) })).stdout);
  assert.equal(viaStdin.entries, 34);
  assert.equal(viaStdin.count, null); // stdin is not the live table: no kernel figures
  const dir = tempDir(t);
  copyFileSync(fixture('nat-router/conntrack_L_o_extended.txt'), join(dir, 'table.txt'));
  const fake = join(dir, 'conntrack');
  writeFileSync(fake, `#!/bin/sh\ncat '${join(dir, 'table.txt')}'\necho 'conntrack v1.4.7 (conntrack-tools): 34 flow entries have been shown.' >&2\n`);
  chmodSync(fake, 0o755);
  const viaBin = await runCli(['stats', '--exec', '--conntrack-bin', fake, '--json']);
  assert.equal(viaBin.code, 0, viaBin.stderr);
  assert.deepStrictEqual(JSON.parse(viaBin.stdout).breakdown, viaStdin.breakdown);
  const viaPath = await runCli(['stats', '--exec', '--json'], { env: { PATH: `${dir}:${process.env.PATH}` } });
  assert.equal(JSON.parse(viaPath.stdout).entries, 34);
});

test('--strict makes a bad line fatal; without it the line is counted and reported', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'table.txt');
  writeFileSync(file, `${readFileSync(NAT, 'utf8')}garbage line\n`);
  const lax = await runCli(['stats', '--file', file, '--json']);
  assert.equal(lax.code, 0);
  assert.equal(JSON.parse(lax.stdout).entries, 34);
  assert.match(lax.stderr, /skipped 1 unparseable line/);
  const strict = await runCli(['stats', '--file', file, '--json', '--strict']);
  assert.deepStrictEqual([strict.code, strict.stdout, strict.stderr], [1, '', 'ctflow: line 35 is not a conntrack entry: "garbage line"\n']);
});

test('bad option combinations and values are usage errors (exit 2)', async () => {
  const cases: Array<[string[], string]> = [
    [['--count', '2'], 'ctflow: --count: needs --interval, got --count alone\n'],
    [['--since', '60'], 'ctflow: --since: needs --netdata, got --since alone\n'],
    [['--prom', '--json'], 'ctflow: --prom and --json: choose one output, got both\n'],
    [['--interval', '1', '--prom'], 'ctflow: --prom/--prom-file: a one-shot figure, got them with --interval or --netdata\n'],
    [['--interval', '1', '--netdata', 'http://127.0.0.1:1'], 'ctflow: --interval and --netdata: choose one, got both\n'],
    [['--interval', '0'], 'ctflow: --interval: expected a positive number of seconds, got "0"\n'],
    [['--interval', '1', '--count', '0'], 'ctflow: --count: expected a whole number ≥ 1, got "0"\n'],
    [['--top', 'x'], 'ctflow: --top: expected a whole number ≥ 0, got "x"\n'],
    [['--netdata', 'localhost:19999'], 'ctflow: --netdata: must be an http(s) URL like http://127.0.0.1:19999, got "localhost:19999"\n'],
    [['--file', '-', '--interval', '1'], 'ctflow: --interval: needs a table it can read again, got stdin\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCli(['stats', '--file', NAT, ...args]);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', stderr], args.join(' '));
  }
});

/**
 * stats --interval 60 on a FIFO, stopped by `signal` once its first sample is read. Node catches
 * SIGINT and SIGTERM itself from start-up, so /proc's signal mask cannot tell when ctflow's own
 * handler is in place; the FIFO can: ctflow opens it for its first sample, after the handler is
 * installed, so once our writer's open returns the signal can only reach that handler.
 */
async function sampleUntil(t: { after: (fn: () => void) => void }, signal: NodeJS.Signals, args: string[] = []) {
  const fifo = join(tempDir(t), 'table');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const run = startCli(['stats', '--file', fifo, '--interval', '60', ...args]);
  const writer = createWriteStream(fifo);
  await once(writer, 'open');
  writer.end(readFileSync(NAT));
  await once(writer, 'close');
  // the next sample is a minute away: only the signal ends the run
  run.child.kill(signal);
  return { end: await run.exited, stdout: run.stdout(), stderr: run.stderr() };
}

const SAMPLE_STATES = {
  udp: 7, 'tcp/ESTABLISHED': 5, 'tcp/TIME_WAIT': 8, 'tcp/CLOSE_WAIT': 1, icmp: 4, 'tcp/SYN_RECV': 1, 'tcp/CLOSE': 1,
  'tcp/FIN_WAIT': 2, icmpv6: 2, 'tcp/SYN_SENT': 2, 'tcp/LAST_ACK': 1,
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`--interval without --count runs until ${signal} (Ctrl-C, or a service manager's stop), then ends with exit 0 and its samples`, async (t) => {
    const json = await sampleUntil(t, signal, ['--json']);
    assert.deepStrictEqual([json.end, json.stderr], [{ code: 0, signal: null }, '']);
    const j = JSON.parse(json.stdout);
    assert.deepStrictEqual(j.labels, ['time', 'connections']);
    assert.deepStrictEqual(j.data.map((row: number[]) => row[1]), [34]);
    assert.deepStrictEqual(j.states.map((row: [number, Record<string, number>]) => row[1]), [SAMPLE_STATES]);
    const text = await sampleUntil(t, signal);
    assert.deepStrictEqual([text.end, text.stderr], [{ code: 0, signal: null }, '']);
    assert.match(text.stdout, /^\d\d:\d\d:\d\d\.\d{3} {7}34 {2}▁ {2}tcp\/TIME_WAIT 8 {2}udp 7 {2}tcp\/ESTABLISHED 5 {2}icmp 4\n$/);
  });
}

test('a mark table of more than 20 marks shows the 20 with most entries and one row for the rest; --json keeps every mark', async (t) => {
  // the nat-router capture with a mark on every entry: mark 1 on 13 of them, marks 2…22 on one each
  const lines = readFileSync(NAT, 'utf8').split('\n').filter(Boolean);
  const marked = lines.map((l, i) => l.replace(/ mark=\d+ /, ` mark=${i < 21 ? i + 2 : 1} `));
  const file = join(tempDir(t), 'marks.txt');
  writeFileSync(file, marked.join('\n') + '\n');
  const [text, json] = await Promise.all([
    runCli(['stats', '--file', file, '--no-color', '--wide']),
    runCli(['stats', '--file', file, '--json']),
  ]);
  assert.deepStrictEqual([text.code, json.code], [0, 0]);
  const out = text.stdout.split('\n');
  const head = out.indexOf('│ Mark   │ Entries │ Share │');
  assert.deepStrictEqual(out.slice(head - 1, head + 23), [
    '┌────────┬─────────┬───────┐',
    '│ Mark   │ Entries │ Share │',
    '│ 1      │      13 │ 38.2% │',
    ...Array.from({ length: 19 }, (_, i) => `│ ${String(i + 2).padEnd(6)} │       1 │  2.9% │`),
    '│ 2 more │       2 │  5.9% │',
    '└────────┴─────────┴───────┘',
  ]);
  assert.deepStrictEqual(Object.keys(JSON.parse(json.stdout).marks).length, 22);
});
