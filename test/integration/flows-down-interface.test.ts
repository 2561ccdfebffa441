// As root, in a private network namespace: addresses on interfaces that are not running are
// still this host's addresses for `ctflow flows` discovery (no --local).
//   fg0: up, but its veth peer fg1 is down (no carrier)   198.51.100.1/24, 2001:db8:5::1/64
//   fgd: down altogether (peer fge down too)               203.0.113.7/24,  2001:db8:7::7/64
// os.networkInterfaces() inside that namespace lists lo only; entries are inserted with
// conntrack -I. The namespace is deleted afterwards, also when a test fails.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';

const why = netnsUnavailable(true, true);
if (why) console.log(`# skipping flows down-interface tests: ${why}`);

const INSERTS = [
  // SSH in to the carrier-less interface's addresses: passive
  ['-p', 'tcp', '-s', '192.0.2.50', '-d', '198.51.100.1', '--sport', '40000', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'ASSURED,SEEN_REPLY', '-t', '3600'],
  ['-p', 'tcp', '-s', '2001:db8:9::50', '-d', '2001:db8:5::1', '--sport', '40001', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'ASSURED,SEEN_REPLY', '-t', '3600'],
  // out from the down interface's addresses: active
  ['-p', 'tcp', '-s', '203.0.113.7', '-d', '192.0.2.60', '--sport', '41000', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'ASSURED,SEEN_REPLY', '-t', '3600'],
  ['-p', 'udp', '-s', '2001:db8:7::7', '-d', '2001:db8:9::53', '--sport', '41001', '--dport', '53', '-t', '30'],
  // neither end is this host: still forward
  ['-p', 'udp', '-s', '192.0.2.50', '-d', '192.0.2.51', '--sport', '5353', '--dport', '53', '-t', '30'],
];

describe('ctflow flows discovery with down interfaces, in a private network namespace', { skip: why }, () => {
  let ns = '';
  before(() => {
    ns = createNetns('down');
    const ip = (...args: string[]): string => inNetns(ns, 'ip', args);
    ip('link', 'add', 'fg0', 'type', 'veth', 'peer', 'name', 'fg1');
    ip('addr', 'add', '198.51.100.1/24', 'dev', 'fg0');
    ip('-6', 'addr', 'add', '2001:db8:5::1/64', 'dev', 'fg0', 'nodad');
    ip('link', 'set', 'fg0', 'up');
    ip('link', 'add', 'fgd', 'type', 'veth', 'peer', 'name', 'fge');
    ip('addr', 'add', '203.0.113.7/24', 'dev', 'fgd');
    ip('-6', 'addr', 'add', '2001:db8:7::7/64', 'dev', 'fgd', 'nodad');
    enableConntrack(ns, { acct: false });
    for (const args of INSERTS) inNetns(ns, 'conntrack', ['-I', ...args]);
  });
  after(() => {
    if (ns !== '') deleteNetns(ns);
  });

  it('node alone sees loopback only there: the interfaces are really not running', () => {
    const seen = inNetns(ns, process.execPath, ['-e',
      'console.log(Object.values(require("node:os").networkInterfaces()).flat().map((i) => i.address).join(" "))']);
    assert.equal(seen, '127.0.0.1 ::1\n');
  });

  it('classifies entries to and from their addresses as passive and active, others as forward', async () => {
    const r = await runCli(['flows', '-n', '--json'], { netns: ns });
    assert.deepStrictEqual([r.code, r.stderr], [0, '']);
    const rows = (JSON.parse(r.stdout) as { direction: string; protocol: string; local: { addr: string; port: unknown }; peer: { addr: string; port: unknown }; connections: number }[])
      .map((f) => `${f.direction} ${f.protocol} ${f.local.addr}:${f.local.port} ${f.peer.addr}:${f.peer.port} x${f.connections}`);
    assert.deepStrictEqual(rows, [
      'passive tcp 198.51.100.1:22 192.0.2.50:many x1',
      'passive tcp 2001:db8:5::1:22 2001:db8:9::50:many x1',
      'active tcp 203.0.113.7:many 192.0.2.60:443 x1',
      'active udp 2001:db8:7::7:many 2001:db8:9::53:53 x1',
      'forward udp 192.0.2.50:many 192.0.2.51:53 x1',
    ]);
  });
});
