import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { networkInterfaces } from 'node:os';
import {
  canonicalAddress, discoverLocalAddresses, parseIpAddrOutput, parseLocalOption,
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
  assert.deepStrictEqual(
    [...discoverLocalAddresses(fake)],
    ['127.0.0.1', '::1', '10.3.0.10', 'fd00:a3::10', 'fe80::42b:43ff:fe9c:1de9'],
  );
});

test('discovery on this machine includes loopback', () => {
  const mine = discoverLocalAddresses();
  assert.equal(mine.has('127.0.0.1'), true);
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
