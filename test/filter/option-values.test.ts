import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCount, parseFamily, parseMark, parseMarkFilter, parsePort, parseProtocol, parseSeconds, parseStates, parseStatuses, parseZone,
} from '../../src/filter/option-values.js';

describe('option values', () => {
  it('reads ports 0-65535 and refuses the rest', () => {
    assert.equal(parsePort('443'), 443);
    assert.equal(parsePort('0'), 0);
    assert.throws(() => parsePort('70000', '--dport'), { exitCode: 2, message: 'ctflow: --dport: a port must be a number from 0 to 65535, got "70000"' });
    assert.throws(() => parsePort('http'), { exitCode: 2 });
  });
  it('reads marks in decimal and hex, with and without a mask', () => {
    assert.deepEqual(parseMark('23552'), { value: 23552, mask: 0xffffffff });
    assert.deepEqual(parseMark('0x10/0xf0'), { value: 16, mask: 240 });
    assert.throws(() => parseMark('0x1ffffffff'), { exitCode: 2 });
    assert.throws(() => parseMark('1/2/3'), { exitCode: 2 });
  });
  it('reads a mark filter only when MARK lies inside MASK, naming the stray bits otherwise', () => {
    assert.deepEqual(parseMarkFilter('0x10/0xf0'), { value: 16, mask: 240 });
    assert.deepEqual(parseMarkFilter('0/0'), { value: 0, mask: 0 });
    assert.deepEqual(parseMarkFilter('0x110'), { value: 0x110, mask: 0xffffffff });
    assert.throws(() => parseMarkFilter('0x11/0xf0'), {
      exitCode: 2, message: 'ctflow: --mark: 0x11 has bits outside the mask 0xf0 (0x1), so it can match no connection, got "0x11/0xf0"',
    });
    assert.throws(() => parseMarkFilter('272/15', '-m'), {
      exitCode: 2, message: 'ctflow: -m: 0x110 has bits outside the mask 0xf (0x110), so it can match no connection, got "272/15"',
    });
    assert.throws(() => parseMarkFilter('1/0'), {
      exitCode: 2, message: 'ctflow: --mark: 0x1 has bits outside the mask 0x0 (0x1), so it can match no connection, got "1/0"',
    });
    // a mark to set may carry bits outside its mask (conntrack -U XORs them in): parseMark keeps it
    assert.deepEqual(parseMark('0x11/0xf0'), { value: 0x11, mask: 0xf0 });
  });
  it('reads zones, protocols, states, statuses and families', () => {
    assert.equal(parseZone('65535'), 65535);
    assert.throws(() => parseZone('65536'), { exitCode: 2 });
    assert.equal(parseProtocol('TCP'), 6);
    assert.equal(parseProtocol('icmp6'), 58);
    assert.equal(parseProtocol('253'), 253);
    assert.throws(() => parseProtocol('tcpp'), { exitCode: 2 });
    assert.deepEqual(parseStates('established,time_wait'), ['ESTABLISHED', 'TIME_WAIT']);
    assert.throws(() => parseStates('OPENISH'), { exitCode: 2, message: 'ctflow: --state: unknown state "OPENISH", expected e.g. ESTABLISHED, TIME_WAIT, SYN_SENT' });
    assert.deepEqual(parseStatuses('assured,unreplied'), ['ASSURED', 'UNREPLIED']);
    assert.throws(() => parseStatuses('DYING'), { exitCode: 2 });
    assert.equal(parseFamily('inet6'), 'ipv6');
    assert.throws(() => parseFamily('ipx'), { exitCode: 2 });
  });
  it('reads counts and seconds', () => {
    assert.equal(parseCount('25', '--limit'), 25);
    assert.throws(() => parseCount('-1', '--limit'), { exitCode: 2 });
    assert.equal(parseSeconds('0.2', '--interval'), 0.2);
    assert.throws(() => parseSeconds('0', '--interval'), { exitCode: 2 });
  });
});
