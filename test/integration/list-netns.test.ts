// As root, in a private network namespace: entries inserted with conntrack -I plus real
// loopback traffic with accounting on; `ctflow list --json` from the proc file and from --exec
// must return exactly those entries. The host's own table is never read or changed.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';

const why = netnsUnavailable(true, true);
if (why) console.log(`# skipping list integration tests: ${why}`);

interface Row {
  protocol: string; state: string | null; family: string; mark: number; zone: number; assured: boolean;
  original: { src: string; dst: string; sport: number | null; dport: number | null; icmp_type: number | null; icmp_id: number | null; packets: number | null; bytes: number | null };
  reply: { packets: number | null; bytes: number | null };
}

const INSERTS = [
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '33010', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'ASSURED,SEEN_REPLY', '-t', '3600', '-m', '23552'],
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '33011', '--dport', '443', '--state', 'SYN_SENT', '-t', '120'],
  ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '53000', '--dport', '53', '-t', '30', '-w', '7'],
  ['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '1010', '-t', '30'],
  ['-p', 'tcp', '-s', '2001:db8:a::11', '-d', '2001:db8:a::12', '--sport', '33010', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'ASSURED,SEEN_REPLY', '-t', '7199', '-m', '7'],
];

describe('ctflow list in a private network namespace', { skip: why }, () => {
  let ns = '';
  before(() => {
    ns = createNetns('list');
    enableConntrack(ns, { acct: true });
    for (const args of INSERTS) inNetns(ns, 'conntrack', ['-I', ...args]);
    // real traffic over loopback: a UDP datagram of 100 bytes answered with 300 bytes
    inNetns(ns, process.execPath, ['-e', `
      const dgram = require('node:dgram');
      const server = dgram.createSocket('udp4');
      server.on('message', (m, r) => server.send(Buffer.alloc(300), r.port, r.address));
      server.bind(5555, '127.0.0.1', () => {
        const client = dgram.createSocket('udp4');
        client.bind(40000, '127.0.0.1', () => client.send(Buffer.alloc(100), 5555, '127.0.0.1'));
        client.on('message', () => { client.close(); server.close(); });
      });
    `]);
  });
  after(() => deleteNetns(ns));

  const check = (rows: Row[]): void => {
    const key = (r: Row) => `${r.protocol} ${r.original.src} ${r.original.sport ?? r.original.icmp_type} ${r.original.dst} ${r.original.dport ?? r.original.icmp_id}`;
    assert.deepEqual(rows.map(key).sort(), [
      'icmp 192.0.2.10 8 192.0.2.12 1010',
      'tcp 192.0.2.10 33010 192.0.2.11 443',
      'tcp 192.0.2.10 33011 192.0.2.11 443',
      'tcp 2001:db8:a::11 33010 2001:db8:a::12 22',
      'udp 127.0.0.1 40000 127.0.0.1 5555',
      'udp 192.0.2.10 53000 192.0.2.12 53',
    ]);
    const udp = rows.find((r) => r.original.dport === 5555)!;
    // IPv4 (20) + UDP (8) header on each datagram
    assert.deepEqual([udp.original.packets, udp.original.bytes, udp.reply.packets, udp.reply.bytes], [1, 128, 1, 328]);
    const est = rows.find((r) => r.original.sport === 33010 && r.family === 'ipv4')!;
    assert.deepEqual([est.state, est.mark, est.assured], ['ESTABLISHED', 23552, true]);
    assert.equal(rows.find((r) => r.original.sport === 53000)!.zone, 7);
    assert.equal(rows.find((r) => r.family === 'ipv6')!.mark, 7);
  };

  it('reads the proc file', async () => {
    const r = await runCli(['list', '--json'], { netns: ns });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    check(JSON.parse(r.stdout) as Row[]);
  });

  it('reads conntrack -L with --exec', async () => {
    const r = await runCli(['list', '--json', '--exec'], { netns: ns });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    check(JSON.parse(r.stdout) as Row[]);
  });

  it('counts the same entries as conntrack -C', async () => {
    const counted = Number(execFileSync('ip', ['netns', 'exec', ns, 'conntrack', '-C'], { encoding: 'utf8' }).trim());
    const r = await runCli(['list', '--json'], { netns: ns });
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, counted);
  });
});
