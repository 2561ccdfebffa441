// top takes list's zone filters: --src-zone/--dst-zone, with -z/--zones FILE or the interface
// default, at every reading. On the nat-router capture, 8 entries go to the router's own 10.1.0.1,
// 22 to the web server (10.2.0.2 and fd00:a2::2), and one starts in the servers' network.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { zoneFiles } from '../helpers/zones.js';

const PROC = fixture('nat-router/proc_nf_conntrack.txt');
/** the router's addresses, from the rtr block of nat-router/topology.txt */
const ROUTER_LOCAL = '127.0.0.1,::1,10.1.0.1,fd00:a1::1,fe80::58f5:8bff:fe2b:9f3b,10.2.0.1,fd00:a2::1,fe80::60eb:a4ff:feea:9986';
const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);

test('top --dst-zone keeps the flows of the connections into the zone', async () => {
  const f = zoneFiles();
  const r = await runCli(['top', '--once', '--ndjson', '--file', PROC, '--local', ROUTER_LOCAL, '-z', f.zones, '--dst-zone', 'router']);
  assert.deepStrictEqual([r.code, r.stderr], [0, '']);
  const rows = ndjson(r.stdout);
  assert.deepStrictEqual(rows.filter((x) => x.type === 'flow').map((x) => [x.direction, x.protocol, x.local.addr, x.local.port, x.peer.addr, x.peer.port, x.conns]), [
    ['forward', 'tcp', '10.1.0.2', 'many', '10.1.0.1', 8080, 1],
    ['forward', 'tcp', '10.1.0.2', 'many', '10.1.0.1', 39027, 1],
    ['forward', 'tcp', '10.1.0.2', 'many', '10.1.0.1', 2222, 1],
    ['forward', 'tcp', '10.1.0.2', 'many', '10.1.0.1', 21, 1],
    ['forward', 'tcp', '10.1.0.2', 'many', '10.1.0.1', 35625, 1],
    ['passive', 'tcp', '10.1.0.1', 2200, '10.1.0.2', 'many', 1],
    ['passive', 'icmp', '10.1.0.1', 8, '10.1.0.2', 'many', 1],
    ['forward', 'udp', '10.1.0.2', 'many', '10.1.0.1', 5353, 1],
  ]);
  assert.deepStrictEqual(rows.filter((x) => x.type === 'total').map((x) => [x.rows, x.conns]), [[8, 8]]);
});

test('top --src-zone with --dst-zone, per connection, in plain frames', async () => {
  const f = zoneFiles();
  const r = await runCli(['top', '--wide', '--once', '--connections', '--file', PROC, '--zones', f.zonesJson, '--src-zone', 'servers', '--dst-zone', 'web']);
  assert.equal(r.code, 0);
  assert.deepStrictEqual(r.stdout.split('\n').slice(1), [
    '1 connections',
    '',
    'Proto    Connection                   Conns     Bytes/s   Pkts/s      Bytes      Pkts',
    'icmp     10.2.0.1 -> 10.2.0.2 type=8      1           -        -      168 B         2',
    '',
  ]);
});

test('top --dst-zone without -z uses the interface default (a capture from elsewhere is all external here), at every reading', async () => {
  const r = await runCli(['top', '--iterations', '2', '--interval', '0.1', '--ndjson', '--connections', '--file', PROC, '--dst-zone', 'external']);
  assert.deepStrictEqual([r.code, r.stderr], [0, '']);
  assert.deepStrictEqual(ndjson(r.stdout).filter((x) => x.type === 'total').map((x) => [x.frame, x.conns]), [[1, 34], [2, 34]]);
  const web = await runCli(['top', '--iterations', '2', '--interval', '0.1', '--ndjson', '--connections', '--file', PROC, '-z', zoneFiles().zones, '--dst-zone', 'web']);
  const rows = ndjson(web.stdout);
  assert.deepStrictEqual(rows.filter((x) => x.type === 'total').map((x) => [x.frame, x.conns]), [[1, 22], [2, 22]]);
  assert.deepStrictEqual([...new Set(rows.filter((x) => x.type === 'connection').map((x) => x.dst))].sort(), ['10.2.0.2', 'fd00:a2::2']);
});

test('top with a bad zones file is a usage error (exit 2) naming the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-zones-'));
  writeFileSync(join(dir, 'z.txt'), 'lan 10.0.0.0/8\nwan 300.1.1.1/8\n');
  const r = await runCli(['top', '--wide', '--once', '--file', PROC, '-z', join(dir, 'z.txt'), '--dst-zone', 'lan']);
  assert.deepStrictEqual([r.code, r.stdout], [2, '']);
  assert.match(r.stderr, /^ctflow: --zones .*z\.txt line 2: expected an IPv4 or IPv6 address or CIDR, got "300\.1\.1\.1\/8"\n$/);
});
