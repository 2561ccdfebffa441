// Integration, as root, in a private network namespace: a known mix inserted with conntrack -I,
// then `ctflow stats` compared with conntrack -C, conntrack -S and conntrack -L counted here,
// independently of ctflow's parser. Never the host's table: everything runs inside the namespace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';
import { runCli } from '../helpers/cli.js';

const MIX: string[][] = [
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '40001', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600'],
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '40002', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600', '-m', '7'],
  ['-p', 'tcp', '-s', '192.0.2.12', '-d', '192.0.2.11', '--sport', '40003', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600', '-w', '5'],
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '40004', '--dport', '443', '--state', 'TIME_WAIT', '-u', 'SEEN_REPLY,ASSURED', '-t', '120'],
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.13', '--sport', '40005', '--dport', '22', '--state', 'SYN_SENT', '-t', '120'],
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.13', '--sport', '40006', '--dport', '22', '--state', 'SYN_SENT', '-t', '120'],
  ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '50001', '--dport', '53', '-t', '180', '-u', 'SEEN_REPLY,ASSURED'],
  ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '50002', '--dport', '53', '-t', '30'],
  ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '50003', '--dport', '53', '-t', '30'],
  ['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '77', '-t', '30'],
  ['-p', 'sctp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '2905', '--dport', '2905', '--state', 'ESTABLISHED', '--orig-vtag', '1', '--reply-vtag', '2', '-t', '3600', '-u', 'SEEN_REPLY,ASSURED'],
  ['-p', 'tcp', '-s', '2001:db8::1', '-d', '2001:db8::2', '--sport', '40010', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600'],
  ['-p', 'udp', '-s', '2001:db8::1', '-d', '2001:db8::2', '--sport', '546', '--dport', '547', '-t', '30'],
];

/** conntrack -L default text counted with plain string work: protocol, then the state word if any. */
function countListing(text: string): { total: number; protocols: Record<string, number>; states: Record<string, number>; unreplied: number } {
  const protocols: Record<string, number> = {};
  const states: Record<string, number> = {};
  let total = 0;
  let unreplied = 0;
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 4) continue;
    total++;
    protocols[words[0]!] = (protocols[words[0]!] ?? 0) + 1;
    if (/^[A-Z_0-9]+$/.test(words[3]!)) {
      const key = `${words[0]}/${words[3] === 'LISTEN' ? 'SYN_SENT2' : words[3]}`;
      states[key] = (states[key] ?? 0) + 1;
    }
    if (line.includes('[UNREPLIED]')) unreplied++;
  }
  return { total, protocols, states, unreplied };
}

function sortedEntries(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

test('stats --json in a namespace equals conntrack -C, conntrack -S and conntrack -L counted independently', async (t) => {
  const why = netnsUnavailable(true, true);
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const ns = createNetns('stats');
  t.after(() => deleteNetns(ns));
  enableConntrack(ns);
  for (const args of MIX) inNetns(ns, 'conntrack', ['-I', ...args]);

  const kernelCount = Number(inNetns(ns, 'conntrack', ['-C']).trim());
  const listing = countListing(inNetns(ns, 'conntrack', ['-L']));
  const max = Number(inNetns(ns, 'cat', ['/proc/sys/net/netfilter/nf_conntrack_max']).trim());
  assert.equal(kernelCount, MIX.length);

  for (const source of [[], ['--exec']]) {
    const r = await runCli(['stats', '--json', '--per-cpu', ...source], { netns: ns });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.count, kernelCount, 'count = conntrack -C');
    assert.equal(j.entries, listing.total, 'entries = conntrack -L lines');
    assert.equal(j.max, max);
    assert.equal(j.fill_percent, Math.round((kernelCount / max) * 100 * 1000) / 1000);
    assert.equal(j.replied, listing.total - listing.unreplied);
    assert.deepStrictEqual(sortedEntries(j.protocols), sortedEntries(listing.protocols));
    const states: Record<string, number> = {};
    for (const [proto, perState] of Object.entries(j.states as Record<string, Record<string, number>>)) {
      for (const [state, n] of Object.entries(perState)) states[`${proto}/${state}`] = n;
    }
    assert.deepStrictEqual(sortedEntries(states), sortedEntries(listing.states));
    // and the figures we know from the mix itself
    assert.deepStrictEqual(j.families, { ipv4: 11, ipv6: 2 });
    assert.deepStrictEqual(j.status, { assured: 7, unreplied: 6, offload: 0, hw_offload: 0 });
    assert.deepStrictEqual([j.zones, j.marks], [{ 5: 1 }, { 7: 1 }]);
    assert.deepStrictEqual(j.top.sources_by_connections[0], { address: '192.0.2.10', connections: 10, bytes: 0 });
    // the kernel's counters, compared with conntrack -S of the same namespace
    const s: Record<string, number> = {};
    for (const line of inNetns(ns, 'conntrack', ['-S']).split('\n')) {
      for (const m of line.matchAll(/(\w+)=(\d+)/g)) if (m[1] !== 'cpu') s[m[1]!] = (s[m[1]!] ?? 0) + Number(m[2]);
    }
    for (const name of ['found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'error', 'search_restart']) {
      assert.equal(j.kernel_counters[name], s[name], name);
    }
    assert.equal(j.kernel_counters.insert, MIX.length);
    assert.equal(j.kernel_counters.entries, kernelCount);
    assert.equal(j.per_cpu.reduce((n: number, row: { insert: number }) => n + row.insert, 0), MIX.length);
  }

  const proto = JSON.parse((await runCli(['protocols', '--live', '--json'], { netns: ns })).stdout);
  assert.deepStrictEqual(
    [proto.counts.tcp.total, proto.counts.tcp.states.ESTABLISHED, proto.counts.tcp.states.SYN_SENT, proto.counts.udp.total, proto.counts.sctp.states.ESTABLISHED],
    [listing.protocols.tcp, listing.states['tcp/ESTABLISHED'], listing.states['tcp/SYN_SENT'], listing.protocols.udp, 1],
  );
});

test('stats --interval samples a live table as it changes', async (t) => {
  const why = netnsUnavailable(true, true);
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const ns = createNetns('sample');
  t.after(() => deleteNetns(ns));
  enableConntrack(ns);
  for (const args of MIX.slice(0, 3)) inNetns(ns, 'conntrack', ['-I', ...args]);
  const r = await runCli(['stats', '--interval', '0.2', '--count', '5', '--json'], { netns: ns });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.data.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(j.data[i - 1][0] > j.data[i][0]);
  assert.deepStrictEqual(j.data.map((row: number[]) => row[1]), [3, 3, 3, 3, 3]);
  assert.deepStrictEqual(j.states[0][1], { 'tcp/ESTABLISHED': 3 });
});

test('stats with a filter on a live table: count, max and fill are the kernel’s whole table, the breakdowns the matching entries', async (t) => {
  const why = netnsUnavailable(true, true);
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const ns = createNetns('statsfilter');
  t.after(() => deleteNetns(ns));
  enableConntrack(ns);
  for (const args of MIX) inNetns(ns, 'conntrack', ['-I', ...args]);
  const max = Number(inNetns(ns, 'cat', ['/proc/sys/net/netfilter/nf_conntrack_max']).trim());
  for (const source of [[], ['--exec']]) {
    const r = await runCli(['stats', '--json', '-p', 'udp', ...source], { netns: ns });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    // 13 entries, 6 of them unreplied; udp: 50001 (assured), 50002, 50003 and the IPv6 546 -> 547
    assert.deepStrictEqual([j.count, j.entries, j.replied, j.max, j.filter, j.matched], [13, 13, 7, max, '--proto udp', 4]);
    assert.equal(j.fill_percent, Math.round((13 / max) * 100 * 1000) / 1000);
    assert.deepStrictEqual([j.families, j.protocols, j.status.assured, j.status.unreplied], [{ ipv4: 3, ipv6: 1 }, { udp: 4 }, 1, 3]);
    assert.equal(j.kernel_counters.insert, MIX.length);
  }
  const text = await runCli(['stats', '-p', 'udp', '-f', 'ipv4', '--wide'], { netns: ns });
  assert.match(text.stdout, /^Entries {2}13 of \d+\nFill .*\nReplied .*\nFiltered 3 of 13 entries match --proto udp --family ipv4; the figures below count only these\n/);
});
