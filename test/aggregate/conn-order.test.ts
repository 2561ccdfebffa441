import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compareAddress, connOrder } from '../../src/aggregate/conn-order.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { fixture } from '../helpers/cli.js';

const conns = (rel: string) => readFileSync(fixture(rel), 'latin1').split('\n').filter(Boolean).map((l) => parseConnLine(l)!);

describe('connection order', () => {
  it('puts most bytes first by default when accounting is on', () => {
    const sorted = conns('nat-router/proc_nf_conntrack.txt').sort(connOrder(undefined, false));
    assert.deepEqual(sorted.slice(0, 3).map((c) => c.bytesTotal), [66983, 21123, 21123]);
  });
  it('falls back to the longest timeout when accounting is off', () => {
    const sorted = conns('local-host/proc_nf_conntrack.txt').sort(connOrder(undefined, false));
    assert.deepEqual(sorted.slice(0, 2).map((c) => c.timeout), [431999, 431999].map((_, i) => sorted[i]!.timeout));
    assert.ok(sorted.every((c, i) => i === 0 || (sorted[i - 1]!.timeout ?? 0) >= (c.timeout ?? 0)));
  });
  it('sorts addresses numerically, IPv4 before IPv6', () => {
    assert.deepEqual(['10.0.0.10', 'fd00::1', '10.0.0.9', '::1'].sort(compareAddress), ['10.0.0.9', '10.0.0.10', '::1', 'fd00::1']);
  });
});
