import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import {
  canonicalAddress, discoverLocalAddresses, parseIpAddrOutput, parseLocalOption, readIpAddr,
} from '../../src/host/local-addresses.js';
import { CtflowError } from '../../src/errors.js';
import { fixture } from '../helpers/cli.js';

test('canonicalAddress gives RFC 5952 text for IPv6 and keeps IPv4 as printed', () => {
  assert.deepStrictEqual(
    ['10.3.0.10', 'fd00:00a3:0000:0000:0000:0000:0000:0010', 'FD00:A3::10', '::1', 'fe80::1%eth0', 'nope', '10.0.0.256', ''].map(canonicalAddress),
    ['10.3.0.10', 'fd00:a3::10', 'fd00:a3::10', '::1', 'fe80::1', undefined, undefined, undefined],
  );
});

test('discovery takes every interface address, IPv4 and IPv6, loopback included', () => {
  const fake = {
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
    ],
    eth0: [
      { address: '10.3.0.10', family: 'IPv4', internal: false },
      { address: 'fd00:a3:0:0::10', family: 'IPv6', internal: false },
      { address: 'fe80::42b:43ff:fe9c:1de9', family: 'IPv6', internal: false, scopeid: 2 },
    ],
    down: undefined,
  } as unknown as ReturnType<typeof networkInterfaces>;
  // without `ip` (missing, failing), os.networkInterfaces() alone
  assert.deepStrictEqual(
    [...discoverLocalAddresses({ ipAddr: () => undefined, interfaces: () => fake })],
    ['127.0.0.1', '::1', '10.3.0.10', 'fd00:a3::10', 'fe80::42b:43ff:fe9c:1de9'],
  );
});

// `ip -o addr show` in a namespace where fg0 is up without carrier (its veth peer is down) and
// fgd is down altogether; os.networkInterfaces() there lists lo only.
const DOWN_INTERFACES = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever',
  '3: fg0    inet 198.51.100.1/24 scope global fg0\\       valid_lft forever preferred_lft forever',
  '3: fg0    inet6 2001:db8:5::1/64 scope global nodad \\       valid_lft forever preferred_lft forever',
  '5: fgd    inet 203.0.113.7/24 scope global fgd\\       valid_lft forever preferred_lft forever',
  '5: fgd    inet6 2001:0db8:0007:0000::7/64 scope global tentative \\       valid_lft forever preferred_lft forever',
  '6: ppp0    inet 10.64.0.1 peer 10.64.0.2/32 scope global ppp0\\       valid_lft forever preferred_lft forever',
  '',
].join('\n');

test('discovery takes the addresses of down and carrier-less interfaces from `ip -o addr show`', () => {
  const loOnly = {
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
    ],
  } as unknown as ReturnType<typeof networkInterfaces>;
  assert.deepStrictEqual(
    [...discoverLocalAddresses({ ipAddr: () => DOWN_INTERFACES, interfaces: () => loOnly })],
    ['127.0.0.1', '::1', '198.51.100.1', '2001:db8:5::1', '203.0.113.7', '2001:db8:7::7', '10.64.0.1'],
  );
});

test('discovery keeps what only os.networkInterfaces() knows, after the addresses of `ip`', () => {
  const extra = { eth9: [{ address: '192.0.2.9', family: 'IPv4', internal: false }] } as unknown as ReturnType<typeof networkInterfaces>;
  assert.deepStrictEqual(
    [...discoverLocalAddresses({ ipAddr: () => '1: lo    inet 127.0.0.1/8 scope host lo\n', interfaces: () => extra })],
    ['127.0.0.1', '192.0.2.9'],
  );
});

test('readIpAddr gives undefined when the ip binary is missing, so discovery falls back', () => {
  assert.equal(readIpAddr('/nonexistent/ctflow-no-ip'), undefined);
});

test('discovery on this machine includes loopback and every address os.networkInterfaces() lists', () => {
  const mine = discoverLocalAddresses();
  assert.equal(mine.has('127.0.0.1'), true);
  const listed = Object.values(networkInterfaces()).flat().map((i) => canonicalAddress(i!.address)!);
  assert.deepStrictEqual(listed.filter((a) => !mine.has(a)), []);
});

test('readIpAddr on this machine prints the loopback address (when ip is installed)', (t) => {
  const text = readIpAddr();
  if (text === undefined) {
    t.skip('needs iproute2 (ip)');
    return;
  }
  assert.equal(parseIpAddrOutput(text).has('127.0.0.1'), true);
});

test('reads the addresses of `ip -o addr` (local-host capture)', () => {
  const text = readFileSync(fixture('local-host/ip_o_addr.txt'), 'utf8');
  assert.deepStrictEqual(
    [...parseIpAddrOutput(text)],
    ['127.0.0.1', '::1', '10.3.0.10', 'fd00:a3::10', 'fe80::42b:43ff:fe9c:1de9'],
  );
});

test('reads the `ip -o addr` blocks of a topology file and ignores the rest', () => {
  const text = readFileSync(fixture('nat-router/topology.txt'), 'utf8');
  const router = text.split('### netns ctfxA-rtr: ip -o addr')[1]!.split('###')[0]!;
  assert.deepStrictEqual(
    [...parseIpAddrOutput(router)],
    ['127.0.0.1', '::1', '10.1.0.1', 'fd00:a1::1', 'fe80::58f5:8bff:fe2b:9f3b', '10.2.0.1', 'fd00:a2::1', 'fe80::60eb:a4ff:feea:9986'],
  );
});

test('--local is repeatable, takes comma lists and canonicalises', () => {
  assert.deepStrictEqual(
    [...parseLocalOption(['10.1.0.1,fd00:a1:0::1', ' 10.2.0.1 ', '10.1.0.1'])],
    ['10.1.0.1', 'fd00:a1::1', '10.2.0.1'],
  );
});

test('--local rejects what is not an address, in the one error shape', () => {
  assert.throws(() => parseLocalOption(['10.1.0.1,myhost']), (err: unknown) => {
    assert.ok(err instanceof CtflowError);
    assert.equal(err.exitCode, 2);
    assert.equal(err.message, 'ctflow: --local: expected an IPv4 or IPv6 address, got "myhost"');
    return true;
  });
  assert.throws(() => parseLocalOption([',']), /--local: expected at least one address, got none/);
});
