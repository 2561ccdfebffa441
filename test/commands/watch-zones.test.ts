// watch takes list's zone filters (--src-zone/--dst-zone, with -z/--zones FILE or the interface
// default) and, with -z, names each end as list -z does. On the nat-router event capture every
// event starts at the client 10.1.0.2: 12 go to the router itself (10.1.0.1, the FTP control and
// data connections), 19 to the web server 10.2.0.2.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { zoneFiles } from '../helpers/zones.js';

const STAMPED = fixture('nat-router/events_E_o_timestamp.txt');
const EVENTS = fixture('nat-router/events_E.txt');
const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
const summary = (shown: number): string =>
  `ctflow: 31 events seen (7 new, 21 update, 3 destroy), ${shown} shown, 0 losses reported by conntrack (ENOBUFS)\n`;

test('watch --dst-zone keeps the events whose original destination is in the zone (text and JSON zone files)', async () => {
  const f = zoneFiles();
  const router = await runCli(['watch', '--file', STAMPED, '--ndjson', '-z', f.zones, '--dst-zone', 'router']);
  assert.equal(router.code, 0);
  assert.deepStrictEqual(ndjson(router.stdout).map((e) => [e.event, e.conn.original.dst, e.conn.original.dport]), [
    ['new', '10.1.0.1', 21], ['update', '10.1.0.1', 21], ['update', '10.1.0.1', 21],
    ['new', '10.1.0.1', 41493], ['update', '10.1.0.1', 41493], ['update', '10.1.0.1', 41493],
    ['update', '10.1.0.1', 41493], ['update', '10.1.0.1', 41493], ['update', '10.1.0.1', 41493],
    ['update', '10.1.0.1', 21], ['update', '10.1.0.1', 21], ['update', '10.1.0.1', 21],
  ]);
  assert.equal(router.stderr, summary(12));
  // the longest prefix wins: 10.2.0.2 is "web", not "servers"
  const web = await runCli(['watch', '--file', STAMPED, '--ndjson', '--zones', f.zonesJson, '--dst-zone', 'web']);
  assert.deepStrictEqual([web.code, web.stderr], [0, summary(19)]);
  assert.deepStrictEqual([...new Set(ndjson(web.stdout).map((e) => e.conn.original.dst))], ['10.2.0.2']);
  const servers = await runCli(['watch', '--file', STAMPED, '--ndjson', '-z', f.zones, '--dst-zone', 'servers']);
  assert.deepStrictEqual([servers.code, servers.stdout, servers.stderr], [0, '', summary(0)]);
});

test('watch --src-zone, alone and with --dst-zone and other filters', async () => {
  const f = zoneFiles();
  const clients = await runCli(['watch', '--file', STAMPED, '--ndjson', '-z', f.zones, '--src-zone', 'clients']);
  assert.equal(ndjson(clients.stdout).length, 31);
  const none = await runCli(['watch', '--file', STAMPED, '--ndjson', '-z', f.zones, '--src-zone', 'servers']);
  assert.deepStrictEqual([none.code, none.stdout, none.stderr], [0, '', summary(0)]);
  const both = await runCli(['watch', '--file', EVENTS, '--ndjson', '-z', f.zones, '--src-zone', 'clients', '--dst-zone', 'web', '-p', 'udp', '-e', 'DESTROY']);
  assert.deepStrictEqual(ndjson(both.stdout).map((e) => [e.event, e.conn.protocol, e.conn.original.dport]), [['destroy', 'udp', 123]]);
  assert.equal(both.stderr, 'ctflow: 3 events seen (0 new, 0 update, 3 destroy), 1 shown, 0 losses reported by conntrack (ENOBUFS)\n');
});

test('watch --dst-zone without -z uses the interface default: a capture from elsewhere is all external here', async () => {
  const r = await runCli(['watch', '--file', STAMPED, '--ndjson', '--dst-zone', 'external']);
  assert.deepStrictEqual([r.code, ndjson(r.stdout).length, r.stderr], [0, 31, summary(31)]);
  // a zone filter implies -z, as in list: the events are named too
  assert.deepStrictEqual([...new Set(ndjson(r.stdout).map((e) => `${e.conn.src_zone} ${e.conn.dst_zone}`))], ['external external']);
  // without either, they are not
  const plain = await runCli(['watch', '--file', STAMPED, '--ndjson', '--count', '1']);
  assert.equal('dst_zone' in ndjson(plain.stdout)[0]!.conn, false);
});

test('watch -z names each end: src_zone/dst_zone close the NDJSON conn (as list --json), the line ends "clients → web"', async () => {
  const f = zoneFiles();
  const json = await runCli(['watch', '--file', STAMPED, '--ndjson', '-z', f.zones, '--count', '1']);
  const conn = ndjson(json.stdout)[0]!.conn;
  assert.deepStrictEqual(Object.keys(conn).slice(-3), ['extra', 'src_zone', 'dst_zone']);
  assert.deepStrictEqual([conn.src_zone, conn.dst_zone], ['clients', 'web']);
  const text = await runCli(['watch', '--file', STAMPED, '--zones', f.zones, '--dport', '7008']);
  assert.equal(text.stdout, [
    '09:24:51.433569 NEW     tcp  SYN_SENT    10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 [UNREPLIED] clients → web',
    '09:24:51.433589 UPDATE  tcp  SYN_RECV    10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 clients → web',
    '09:24:51.433594 UPDATE  tcp  ESTABLISHED 10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 [ASSURED] clients → web',
    '09:24:51.484320 UPDATE  tcp  CLOSE       10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 [ASSURED] clients → web',
    '09:24:54.963280 DESTROY tcp  CLOSE       10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 5/368 B 3/3.1 KiB [ASSURED] by portid 3103049334 clients → web',
    '',
  ].join('\n'));
});

test('watch with a bad zones file is a usage error (exit 2) naming the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-zones-'));
  writeFileSync(join(dir, 'z.txt'), 'lan 10.0.0.0/8\nwan 300.1.1.1/8\n');
  const r = await runCli(['watch', '--file', STAMPED, '--zones', join(dir, 'z.txt'), '--src-zone', 'lan']);
  assert.deepStrictEqual([r.code, r.stdout], [2, '']);
  assert.match(r.stderr, /^ctflow: --zones .*z\.txt line 2: expected an IPv4 or IPv6 address or CIDR, got "300\.1\.1\.1\/8"\n$/);
});

test('watch --stdin takes the zone filters too', async () => {
  const f = zoneFiles();
  const r = await runCli(['watch', '--stdin', '--ndjson', '-z', f.zones, '--dst-zone', 'router', '-e', 'NEW'], { stdin: readFileSync(EVENTS) });
  assert.deepStrictEqual(ndjson(r.stdout).map((e) => [e.event, e.conn.original.dport, e.conn.dst_zone]), [['new', 21, 'router'], ['new', 41493, 'router']]);
});
