import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, inNetns, netnsUnavailable } from '../helpers/netns.js';
import { zoneFiles } from '../helpers/zones.js';

const NAT = fixture('nat-router/proc_nf_conntrack.txt');

const json = (stdout: string): any[] => JSON.parse(stdout);

test('list --zones FILE adds src_zone/dst_zone (longest prefix, IPv4 and IPv6) to JSON', async () => {
  const f = zoneFiles();
  for (const [flag, file] of [['--zones', f.zones], ['-z', f.zonesJson]] as const) {
    const r = await runCli(['list', '--file', NAT, flag, file, '--json', '--sort', 'dst']);
    assert.equal(r.code, 0, r.stderr);
    const pairs = new Set(json(r.stdout).map((c) => [c.original.src, c.original.dst, c.src_zone, c.dst_zone].join(' ')));
    assert.deepStrictEqual([...pairs].sort(), [
      '10.1.0.2 10.1.0.1 clients router',
      '10.1.0.2 10.2.0.2 clients web',
      '10.1.0.2 10.2.0.3 clients servers',
      '10.2.0.1 10.2.0.2 servers web',
      'fd00:a1::2 fd00:a2::2 clients web',
      'fd00:a1::2 fd00:a2::3 clients servers',
    ]);
  }
});

test('list --src-zone/--dst-zone filter by zone', async () => {
  const f = zoneFiles();
  const web = await runCli(['list', '--file', NAT, '-z', f.zones, '--dst-zone', 'web', '--ndjson']);
  const rows = web.stdout.trim().split('\n').map((l) => JSON.parse(l));
  // 16 entries to 10.2.0.2 and 6 to fd00:a2::2 in the capture
  assert.equal(rows.length, 22);
  assert.ok(rows.every((c) => c.dst_zone === 'web' && (c.original.dst === '10.2.0.2' || c.original.dst === 'fd00:a2::2')));
  const fromServers = await runCli(['list', '--file', NAT, '--zones', f.zones, '--src-zone', 'servers', '--dst-zone', 'web', '--json']);
  assert.deepStrictEqual(json(fromServers.stdout).map((c) => [c.protocol, c.original.src, c.original.dst]), [['icmp', '10.2.0.1', '10.2.0.2']]);
  const none = await runCli(['list', '--file', NAT, '--zones', f.zones, '--src-zone', 'web', '--json']);
  assert.deepStrictEqual([none.code, none.stdout], [0, '[]\n']);
});

test('--src-zone without -z uses the interface default: a table from elsewhere is all external here', async () => {
  const r = await runCli(['list', '--file', NAT, '--src-zone', 'external', '--json']);
  assert.equal(json(r.stdout).length, 34);
});

test('the table gains a Zones column and a Mark column; CSV gains src_zone, dst_zone and one column per mark field', async () => {
  const f = zoneFiles();
  const table = await runCli(['list', '--file', NAT, '-z', f.zones, '--mark-map', f.marks, '--sort', 'bytes', '--limit', '2', '-n', '--wide']); // -n: no Service column after them
  const lines = table.stdout.split('\n');
  assert.match(lines[1]!, /│ Flags +│ Zones +│ Mark +│$/);
  assert.match(lines[2]!, /│ clients → web +│ app=web +│$/);
  assert.match(lines[3]!, /│ clients → web +│ +│$/);
  const csv = await runCli(['list', '--file', NAT, '-z', f.zones, '--mark-map', f.marks, '--csv', '--sort', 'bytes', '--limit', '1']);
  const [head, row] = csv.stdout.split('\n');
  assert.match(head!, /,bytes_total,src_zone,dst_zone,app,low$/);
  assert.match(row!, /,66983,clients,web,web,$/);
});

test('--mark-map adds mark_names to JSON', async () => {
  const f = zoneFiles();
  const r = await runCli(['list', '--file', NAT, '--mark-map', f.marks, '--json', '-p', 'udp', '--dport', '53']);
  assert.deepStrictEqual(json(r.stdout).map((c) => [c.mark, c.mark_names]), [
    [1, { app: '', low: 'dns' }],
    [1, { app: '', low: 'dns' }],
  ]);
  assert.equal('src_zone' in json(r.stdout)[0], false);
});

test('a bad --zones file is a usage error naming the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-zones-'));
  writeFileSync(join(dir, 'z.txt'), 'lan 10.0.0.0/8\nwan 300.1.1.1/8\n');
  const r = await runCli(['list', '--file', NAT, '--zones', join(dir, 'z.txt')]);
  assert.deepStrictEqual([r.code, r.stdout], [2, '']);
  assert.match(r.stderr, /^ctflow: --zones .*z\.txt line 2: expected an IPv4 or IPv6 address or CIDR, got "300\.1\.1\.1\/8"\n$/);
});

const skip = netnsUnavailable();

test('list --zones inside a namespace with two veth interfaces names subnets after them', { skip }, async () => {
  const ns = createNetns('zones');
  const peer = createNetns('zones-peer');
  try {
    inNetns(ns, 'ip', ['link', 'add', 'ctz0', 'type', 'veth', 'peer', 'name', 'ctz0p', 'netns', peer]);
    inNetns(ns, 'ip', ['link', 'add', 'ctz1', 'type', 'veth', 'peer', 'name', 'ctz1p', 'netns', peer]);
    inNetns(ns, 'ip', ['addr', 'add', '10.77.1.1/24', 'dev', 'ctz0']);
    inNetns(ns, 'ip', ['addr', 'add', 'fd77:1::1/64', 'dev', 'ctz0', 'nodad']);
    inNetns(ns, 'ip', ['addr', 'add', '10.77.2.1/24', 'dev', 'ctz1']);
    inNetns(ns, 'ip', ['addr', 'add', 'fd77:2::1/64', 'dev', 'ctz1', 'nodad']);
    inNetns(ns, 'ip', ['link', 'set', 'ctz0', 'up']);
    inNetns(ns, 'ip', ['link', 'set', 'ctz1', 'up']);
    // node lists only interfaces that are up and running (carrier): bring the peers up too
    inNetns(peer, 'ip', ['link', 'set', 'ctz0p', 'up']);
    inNetns(peer, 'ip', ['link', 'set', 'ctz1p', 'up']);
    const insert = (...args: string[]): string => inNetns(ns, 'conntrack', ['-I', '-t', '3000', ...args]);
    insert('-p', 'tcp', '-s', '10.77.1.5', '-d', '10.77.2.9', '--sport', '1001', '--dport', '80', '--state', 'ESTABLISHED');
    insert('-p', 'tcp', '-s', '10.77.2.9', '-d', '10.77.1.1', '--sport', '1002', '--dport', '22', '--state', 'ESTABLISHED');
    insert('-p', 'udp', '-s', '10.77.1.1', '-d', '203.0.113.5', '--sport', '1003', '--dport', '53');
    insert('-p', 'tcp', '-s', 'fd77:1::5', '-d', 'fd77:2::9', '--sport', '1004', '--dport', '443', '--state', 'ESTABLISHED');
    insert('-p', 'udp', '-s', 'fd77:2::9', '-d', '2001:db8::1', '--sport', '1005', '--dport', '123');

    const r = await runCli(['list', '--zones', '--json', '--sort', 'sport'], { netns: ns });
    assert.equal(r.code, 0, r.stderr);
    assert.deepStrictEqual(json(r.stdout).map((c) => [c.original.sport, c.src_zone, c.dst_zone]), [
      [1001, 'ctz0', 'ctz1'],
      [1002, 'ctz1', 'local'],
      [1003, 'local', 'external'],
      [1004, 'ctz0', 'ctz1'],
      [1005, 'ctz1', 'external'],
    ]);
    const filtered = await runCli(['list', '-z', '--src-zone', 'ctz1', '--json', '--sort', 'sport'], { netns: ns });
    assert.deepStrictEqual(json(filtered.stdout).map((c) => c.original.sport), [1002, 1005]);
    const table = await runCli(['list', '-z', '--dst-zone', 'local', '--wide'], { netns: ns });
    assert.match(table.stdout, /│ ctz1 → local +│/);
  } finally {
    deleteNetns(ns);
    deleteNetns(peer);
  }
});
