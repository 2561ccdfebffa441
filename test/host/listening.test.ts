import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  listeningPortKeys, parseHexEndpoint, parseProcNetSockets, readListeningSockets,
} from '../../src/host/listening.js';
import { fixture } from '../helpers/cli.js';

const read = (name: string): string => readFileSync(fixture(`local-host/${name}`), 'latin1');

test('decodes little-endian proc endpoints, IPv4 and IPv6 (incl. IPv4-mapped)', () => {
  assert.deepStrictEqual(
    [
      '0A00030A:1538',
      '0100007F:18EB',
      '00000000000000000000000001000000:01BB',
      'A30000FD000000000000000010000000:CC54',
      '0000000000000000FFFF00000A00030A:01BB',
      'zz:1',
      '0A00030A',
    ].map((t) => parseHexEndpoint(t, true)),
    [
      { addr: '10.3.0.10', port: 5432 },
      { addr: '127.0.0.1', port: 6379 },
      { addr: '::1', port: 443 },
      { addr: 'fd00:a3::10', port: 52308 },
      { addr: '::ffff:10.3.0.10', port: 443 },
      undefined,
      undefined,
    ],
  );
});

test('decodes big-endian words in network order', () => {
  assert.deepStrictEqual(parseHexEndpoint('0A03000A:0016', false), { addr: '10.3.0.10', port: 22 });
});

test('finds every TCP listener of the local-host capture, whatever address it is bound to', () => {
  assert.deepStrictEqual(parseProcNetSockets(read('proc_net_tcp.txt'), 'tcp', true), [
    { protocol: 'tcp', family: 'ipv4', addr: '0.0.0.0', port: 40001 },
    { protocol: 'tcp', family: 'ipv4', addr: '10.3.0.10', port: 5432 },
    { protocol: 'tcp', family: 'ipv4', addr: '0.0.0.0', port: 22 },
    { protocol: 'tcp', family: 'ipv4', addr: '0.0.0.0', port: 80 },
    { protocol: 'tcp', family: 'ipv4', addr: '127.0.0.1', port: 6379 },
  ]);
  assert.deepStrictEqual(parseProcNetSockets(read('proc_net_tcp6.txt'), 'tcp', true), [
    { protocol: 'tcp', family: 'ipv6', addr: '::', port: 443 },
  ]);
});

test('a UDP listener is a bound, unconnected socket', () => {
  assert.deepStrictEqual(parseProcNetSockets(read('proc_net_udp.txt'), 'udp', true), [
    { protocol: 'udp', family: 'ipv4', addr: '0.0.0.0', port: 53 },
  ]);
  assert.deepStrictEqual(parseProcNetSockets(read('proc_net_udp6.txt'), 'udp', true), []);
  const connected = '  1: 0A00030A:A329 1500030A:007B 01 00000000:00000000 00:00000000 00000000     0        0 1 2 0 0\n';
  assert.deepStrictEqual(parseProcNetSockets(connected, 'udp', true), []);
});

test('reads all four files from a directory; a missing file (no IPv6) means no listeners there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-procnet-'));
  try {
    copyFileSync(fixture('local-host/proc_net_tcp.txt'), join(dir, 'tcp'));
    copyFileSync(fixture('local-host/proc_net_udp.txt'), join(dir, 'udp'));
    const sockets = await readListeningSockets(dir);
    assert.deepStrictEqual([...listeningPortKeys(sockets)].sort(), [
      'tcp/22', 'tcp/40001', 'tcp/5432', 'tcp/6379', 'tcp/80', 'udp/53',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory without any socket table is an error, not "nothing listens"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-procnet-'));
  try {
    await assert.rejects(readListeningSockets(dir), {
      message: `ctflow: --listening: cannot read the socket tables, expected ${join(dir, 'tcp')} (and tcp6, udp, udp6), got none`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
