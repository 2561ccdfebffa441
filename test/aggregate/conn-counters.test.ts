import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConnCounters } from '../../src/aggregate/conn-counters.js';
import { countersOf, zeroCounters } from '../../src/aggregate/rates.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { scanConnBytes } from '../../src/parse/conn-bytes.js';
import { fixture } from '../helpers/cli.js';

const lines = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').split('\n').filter((l) => l !== '');
const proc = lines.map((l) => parseConnLine(l)!);

describe('ConnCounters', () => {
  it('holds one entry per connection of the nat-router table, found again from another reading', () => {
    const a = new ConnCounters();
    proc.forEach((c, i) => a.putConn(c, countersOf(c)!, i));
    assert.equal(a.size, 34);
    // the same lines scanned (without delta-time=, which sends them to the slow parser): the same keys
    const b = new ConnCounters();
    for (const l of lines) {
      const buf = Buffer.from(l.replace(/ delta-time=\d+/, ''), 'latin1');
      b.putScan(scanConnBytes(buf, 0, buf.length)!, -1);
    }
    assert.deepStrictEqual(Array.from({ length: 34 }, (_, e) => a.entryOf(b, e)), Array.from({ length: 34 }, (_, e) => e));
    assert.deepStrictEqual(a.countersInto(21, zeroCounters()), { origPackets: 11, origBytes: 664, replyPackets: 11, replyBytes: 66319 });
  });

  it('keeps the last counters of a connection seen twice, and the row of its shown sighting', () => {
    const t = new ConnCounters();
    const c = proc[21]!;
    t.putConn(c, { origPackets: 1, origBytes: 2, replyPackets: 3, replyBytes: 4 }, 5);
    t.putConn(c, { origPackets: 6, origBytes: 7, replyPackets: 8, replyBytes: 9 }, -1);
    assert.deepStrictEqual([t.size, t.rowOf(0), t.countersInto(0, zeroCounters())], [1, 5, { origPackets: 6, origBytes: 7, replyPackets: 8, replyBytes: 9 }]);
    t.clear();
    assert.deepStrictEqual([t.size, new ConnCounters().entryOf(t, 0)], [0, -1]);
  });

  it('tells apart connections that differ only in zone, family or an absent port', () => {
    const t = new ConnCounters();
    const c = proc[0]!;
    const n = { origPackets: 1, origBytes: 1, replyPackets: 1, replyBytes: 1 };
    t.putConn(c, n, 0);
    t.putConn({ ...c, zone: 7 }, n, 0);
    t.putConn({ ...c, family: 'ipv6' }, n, 0);
    t.putConn({ ...c, original: { ...c.original, sport: undefined } }, n, 0);
    t.putConn({ ...c, original: { ...c.original, sport: 0 } }, n, 0);
    assert.equal(t.size, 5);
  });
});
