import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ReadingBuilder, flowOf, nextSortKey, sortRows, type TopRow } from '../../src/aggregate/top-rows.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import type { Conn } from '../../src/model.js';
import { fixture } from '../helpers/cli.js';

const proc = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'utf8').split('\n').filter((l) => l !== '').map((l) => parseConnLine(l)!);

/** The same connection with more traffic: counters grown by the given bytes/packets. */
function grown(c: Conn, origBytes: number, replyBytes: number, packets = 1): Conn {
  return {
    ...c,
    original: { ...c.original, bytes: c.original.bytes! + origBytes, packets: c.original.packets! + packets },
    reply: { ...c.reply, bytes: c.reply.bytes! + replyBytes, packets: c.reply.packets! + packets },
  };
}

const pick = (rows: TopRow[]) => rows.map((r) => [r.protocol, r.src, r.dst, r.dport, r.conns, r.bytes, r.rate?.bytesPerSec]);

describe('ReadingBuilder', () => {
  it('groups the nat-router table into 32 flows: the two :80 and the two :8000 connections fold', () => {
    const b = new ReadingBuilder('flows', 10);
    proc.forEach((c) => b.add(c));
    const r = b.finish(undefined);
    assert.equal(r.rows.length, 32);
    assert.deepStrictEqual(r.total, { conns: 34, packets: 237, bytes: 146007, rate: undefined });
    assert.deepStrictEqual(pick(sortRows(r.rows, 'bytes', false).slice(0, 2)), [
      ['tcp', '10.1.0.2', '10.2.0.2', 80, 2, 66983 + 2143, undefined],
      ['tcp', '10.1.0.2', '10.2.0.2', 8000, 2, 21123 + 2200, undefined],
    ]);
    assert.equal(r.snapshot.counters.size, 34);
  });

  it('gives per-flow rates from per-connection deltas on the next reading', () => {
    const first = new ReadingBuilder('flows', 10);
    proc.forEach((c) => first.add(c));
    const previous = first.finish(undefined).snapshot;
    const next = new ReadingBuilder('flows', 12);
    // row 10 and row 22 are the :80 flow; row 22 is gone, row 10 moved 4000 + 1000 bytes
    proc.forEach((c, i) => {
      if (i === 21) return;
      next.add(i === 9 ? grown(c, 4000, 1000) : c);
    });
    const r = next.finish(previous);
    const web = r.rows.find((row) => row.dport === 80 && row.src === '10.1.0.2')!;
    assert.deepStrictEqual([web.conns, web.rate], [1, {
      bytesPerSec: 2500, packetsPerSec: 1, origBytesPerSec: 2000, replyBytesPerSec: 500, origPacketsPerSec: 0.5, replyPacketsPerSec: 0.5,
    }]);
    assert.equal(r.total.rate!.bytesPerSec, 2500);
  });

  it('keeps one row per connection in connections mode, with port and state', () => {
    const b = new ReadingBuilder('connections', 0);
    proc.forEach((c) => b.add(c));
    const rows = sortRows(b.finish(undefined).rows, 'bytes', false);
    assert.equal(rows.length, 34);
    assert.deepStrictEqual([rows[0]!.sport, rows[0]!.dport, rows[0]!.state, rows[0]!.bytes], [38658, 80, 'TIME_WAIT', 66983]);
  });

  it('remembers hidden connections for rates without showing them', () => {
    const b = new ReadingBuilder('flows', 0);
    proc.forEach((c) => b.add(c, c.protocol === 'icmp'));
    const r = b.finish(undefined);
    assert.deepStrictEqual([r.rows.length, r.total.conns, r.snapshot.counters.size], [4, 4, 34]);
  });

  it('names flows by protocol, source, destination and port (ICMP by type)', () => {
    assert.equal(flowOf(proc[0]!), 'udp 10.1.0.2 10.2.0.2 53 ');
    assert.equal(flowOf(proc[6]!), 'icmp 10.1.0.2 10.1.0.1  8');
  });
});

describe('sortRows and nextSortKey', () => {
  const row = (key: string, bytes: number, conns: number, rate?: number): TopRow => ({
    key, protocol: 'tcp', src: 'a', sport: undefined, dst: 'b', dport: 1, icmpType: undefined, state: undefined, conns, packets: 1, bytes,
    rate: rate === undefined ? undefined : { bytesPerSec: rate, packetsPerSec: 0, origBytesPerSec: 0, replyBytesPerSec: 0, origPacketsPerSec: 0, replyPacketsPerSec: 0 },
  });
  it('sorts biggest first, ties by bytes then key, and reverses', () => {
    const rows = [row('a', 10, 1, 5), row('b', 30, 3, 5), row('c', 20, 2, 50)];
    assert.deepStrictEqual(sortRows([...rows], 'rate', false).map((r) => r.key), ['c', 'b', 'a']);
    assert.deepStrictEqual(sortRows([...rows], 'rate', true).map((r) => r.key), ['a', 'b', 'c']);
    assert.deepStrictEqual(sortRows([...rows], 'conns', false).map((r) => r.key), ['b', 'c', 'a']);
  });
  it('cycles rate → pps → bytes → packets → conns → rate', () => {
    assert.deepStrictEqual(['rate', 'pps', 'bytes', 'packets', 'conns'].map((k) => nextSortKey(k as never)), ['pps', 'bytes', 'packets', 'conns', 'rate']);
  });
});
