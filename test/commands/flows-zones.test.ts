import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';

const LOCAL = ['--local', '10.3.0.10,fd00:a3::10,127.0.0.1,::1', '-n'];

function zonesFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-flow-zones-'));
  const file = join(dir, 'zones.txt');
  writeFileSync(file, 'host 10.3.0.10 fd00:a3::10\nlan 10.3.0.0/24 fd00:a3::/64\nloop 127.0.0.0/8 ::1\n');
  return file;
}

test('flows --zones: src_zone is the initiator, dst_zone the server, for passive, active and local flows', async () => {
  const r = await runCli(['flows', '--file', fixture('local-host/proc_nf_conntrack.txt'), ...LOCAL, '--zones', zonesFile(), '--json', '-p', 'tcp', '-f', 'ipv4']);
  assert.equal(r.code, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as any[]).map((f) => [f.direction, f.local.port, f.peer.addr, f.peer.port, f.src_zone, f.dst_zone]);
  assert.deepStrictEqual(rows, [
    ['passive', 22, '10.3.0.21', 'many', 'lan', 'host'],
    ['passive', 22, '10.3.0.22', 'many', 'lan', 'host'],
    ['passive', 80, '10.3.0.23', 'many', 'lan', 'host'],
    ['passive', 443, '10.3.0.21', 'many', 'lan', 'host'],
    ['passive', 40001, '10.3.0.22', 'many', 'lan', 'host'],
    ['active', 'many', '10.3.0.21', 443, 'host', 'lan'],
    ['active', 'many', '10.3.0.21', 2049, 'host', 'lan'],
    ['active', 'many', '10.3.0.22', 9, 'host', 'lan'],
    ['active', 'many', '10.3.0.22', 5432, 'host', 'lan'],
    ['active', 'many', '10.3.0.23', 8080, 'host', 'lan'],
    ['local', 80, '10.3.0.10', 'many', 'host', 'host'],
    ['local', 6379, '127.0.0.1', 'many', 'loop', 'loop'],
  ]);
});

test('flows -z on a router: forward flows go from the client zone to the server zone; table and CSV gain the zones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-flow-zones-'));
  const file = join(dir, 'zones.json');
  writeFileSync(file, JSON.stringify({ clients: ['10.1.0.0/24', 'fd00:a1::/64'], servers: ['10.2.0.0/24', 'fd00:a2::/64'], router: ['10.1.0.1', '10.2.0.1'] }));
  const args = ['flows', '--file', fixture('nat-router/proc_nf_conntrack.txt'), '--local', '10.1.0.1,10.2.0.1,fd00:a1::1,fd00:a2::1', '-n', '-z', file, '--forward', '-p', 'udp'];
  const r = await runCli([...args, '--json']);
  // most bytes first; the DNAT'ed flow is named by its original destination (the router)
  assert.deepStrictEqual((JSON.parse(r.stdout) as any[]).map((f) => [f.peer.addr, f.peer.port, f.src_zone, f.dst_zone]), [
    ['10.2.0.2', 53, 'clients', 'servers'],
    ['fd00:a2::2', 53, 'clients', 'servers'],
    ['10.2.0.2', 6000, 'clients', 'servers'],
    ['10.2.0.2', 123, 'clients', 'servers'],
    ['10.2.0.3', 514, 'clients', 'servers'],
    ['10.1.0.1', 5353, 'clients', 'router'],
    ['fd00:a2::3', 514, 'clients', 'servers'],
  ]);
  const table = await runCli([...args, '--wide']);
  assert.match(table.stdout.split('\n')[1]!, /│ Outbytes │ Zones +│$/);
  assert.match(table.stdout, /│ clients → servers │/);
  const csv = await runCli([...args, '--csv']);
  const [head, first] = csv.stdout.split('\n');
  assert.match(head!, /,outbound_bytes,src_zone,dst_zone$/);
  assert.match(first!, /^forward,udp,ipv4,10\.1\.0\.2,many,.*,clients,servers$/);
});
