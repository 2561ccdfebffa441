import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConnCounters } from '../../src/aggregate/conn-counters.js';
import { zeroCounters } from '../../src/aggregate/rates.js';
import type { Conn } from '../../src/model.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { scanConnBytes, scanOfConn } from '../../src/parse/conn-bytes.js';
import { fixture } from '../helpers/cli.js';

const lines = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').split('\n').filter((l) => l !== '');
const proc = lines.map((l) => parseConnLine(l)!);

/** `c` with these counters (original packets, bytes, reply packets, bytes). */
const counted = (c: Conn, [op, ob, rp, rb]: number[]): Conn => ({
  ...c, original: { ...c.original, packets: op, bytes: ob }, reply: { ...c.reply, packets: rp, bytes: rb },
});

describe('ConnCounters', () => {
  it('holds one entry per connection of the nat-router table, found again from another reading', () => {
    const a = new ConnCounters();
    proc.forEach((c, i) => a.putScan(scanOfConn(c), i));
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
    t.putScan(scanOfConn(counted(c, [1, 2, 3, 4])), 5);
    t.putScan(scanOfConn(counted(c, [6, 7, 8, 9])), -1);
    assert.deepStrictEqual([t.size, t.rowOf(0), t.countersInto(0, zeroCounters())], [1, 5, { origPackets: 6, origBytes: 7, replyPackets: 8, replyBytes: 9 }]);
    t.clear();
    assert.deepStrictEqual([t.size, new ConnCounters().entryOf(t, 0)], [0, -1]);
  });

  it('tells apart connections that differ only in zone, family, an absent port, a GRE key or unreadable address text', () => {
    const t = new ConnCounters();
    const c = proc[0]!;
    const gre = (srckey: number): Conn => ({ ...c, protocol: 'gre', protonum: 47, original: { ...c.original, sport: undefined, dport: undefined, srckey, dstkey: 9 } });
    for (const v of [c, { ...c, zone: 7 }, { ...c, family: 'ipv6' as const }, { ...c, original: { ...c.original, sport: undefined } },
      { ...c, original: { ...c.original, sport: 0 } }, gre(1), gre(2), gre(1), { ...c, original: { ...c.original, src: 'not-an-address' } }]) {
      t.putScan(scanOfConn(v), 0);
    }
    assert.equal(t.size, 8);
  });
});
