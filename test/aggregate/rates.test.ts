import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConnLine } from '../../src/parse/conn-line.js';
import {
  addCounters, connKey, counterDelta, countersOf, rateOf, zeroCounters, type Counters,
} from '../../src/aggregate/rates.js';

const NAT = fileURLToPath(new URL('../../../fixtures/kernel/nat-router/', import.meta.url));
const proc = readFileSync(NAT + 'proc_nf_conntrack.txt', 'utf8').split('\n').filter((l) => l !== '').map((l) => parseConnLine(l)!);
const c = (op: number, ob: number, rp: number, rb: number): Counters => ({ origPackets: op, origBytes: ob, replyPackets: rp, replyBytes: rb });

describe('connection identity and counters', () => {
  it('keys a connection by zone, protocol and original tuple', () => {
    assert.equal(connKey(proc[0]!), '0 17 10.1.0.2 10.2.0.2 43426 53     ');
    assert.equal(connKey(proc[6]!), '0 1 10.1.0.2 10.1.0.1   8 0 11505  ');
    assert.equal(connKey(proc[30]!), '42 17 10.1.0.2 10.2.0.2 58653 6000     ');
  });

  it('gives every entry of the nat-router table its own key', () => {
    assert.equal(new Set(proc.map(connKey)).size, 34);
  });

  it('reads the four counters of an entry (row 22: 11/664 up, 11/66319 down)', () => {
    assert.deepStrictEqual(countersOf(proc[21]!), c(11, 664, 11, 66319));
  });

  it('has no counters when accounting was off', () => {
    const line = 'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED] mark=0 use=1';
    assert.equal(countersOf(parseConnLine(line)!), undefined);
  });
});

describe('counterDelta', () => {
  it('subtracts the previous reading', () => assert.deepStrictEqual(counterDelta(c(10, 1000, 5, 500), c(12, 3000, 6, 900)), c(2, 2000, 1, 400)));
  it('takes everything of a connection created since the previous reading', () => assert.deepStrictEqual(counterDelta(undefined, c(3, 300, 2, 200)), c(3, 300, 2, 200)));
  it('takes everything when a counter went backwards (the tuple was reused)', () => assert.deepStrictEqual(counterDelta(c(10, 1000, 5, 500), c(2, 120, 1, 60)), c(2, 120, 1, 60)));
  it('adds counters in place', () => assert.deepStrictEqual(addCounters(zeroCounters(), c(1, 2, 3, 4)), c(1, 2, 3, 4)));
});

describe('rateOf', () => {
  it('divides by the seconds between readings', () => {
    assert.deepStrictEqual(rateOf(c(4, 2000, 2, 1000), 2), {
      bytesPerSec: 1500, packetsPerSec: 3, origBytesPerSec: 1000, replyBytesPerSec: 500, origPacketsPerSec: 2, replyPacketsPerSec: 1,
    });
  });

  it('has no rate when no time passed', () => assert.equal(rateOf(c(1, 1, 1, 1), 0), undefined));
});
