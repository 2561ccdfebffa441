import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ReadingBuilder, flowKey, nextSortKey, sortRows, type TopRow } from '../../src/aggregate/top-rows.js';
import { HostFlowAggregator, type HostFlow } from '../../src/aggregate/host-flows.js';
import { compileFlowSelection } from '../../src/aggregate/flow-selection.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { scanConnBytes } from '../../src/parse/conn-bytes.js';
import type { Conn } from '../../src/model.js';
import { fixture } from '../helpers/cli.js';

const proc = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'utf8').split('\n').filter((l) => l !== '').map((l) => parseConnLine(l)!);
/** the router's addresses, from the rtr block of nat-router/topology.txt */
const ROUTER = new Set(['127.0.0.1', '::1', '10.1.0.1', 'fd00:a1::1', 'fe80::58f5:8bff:fe2b:9f3b', '10.2.0.1', 'fd00:a2::1', 'fe80::60eb:a4ff:feea:9986']);

/** The same connection with more traffic: counters grown by the given bytes/packets. */
function grown(c: Conn, origBytes: number, replyBytes: number, packets = 1): Conn {
  return {
    ...c,
    original: { ...c.original, bytes: c.original.bytes! + origBytes, packets: c.original.packets! + packets },
    reply: { ...c.reply, bytes: c.reply.bytes! + replyBytes, packets: c.reply.packets! + packets },
  };
}

const pick = (rows: TopRow[]) => rows.map((r) => [flowKey(r.flow!), r.conns, r.bytes, r.rate?.bytesPerSec]);

describe('ReadingBuilder', () => {
  it('groups the nat-router table into the 32 host flows of `ctflow flows`: the two :80 and the two :8000 connections fold', () => {
    const b = new ReadingBuilder('flows', 10, ROUTER);
    proc.forEach((c) => b.add(c));
    const r = b.finish(undefined);
    assert.equal(r.rows.length, 32);
    assert.deepStrictEqual(r.total, { conns: 34, packets: 237, bytes: 146007, rate: undefined });
    assert.deepStrictEqual(pick(sortRows(r.rows, 'bytes', false).slice(0, 3)), [
      ['forward 6 10.1.0.2 many 10.2.0.2 80', 2, 66983 + 2143, undefined],
      ['forward 6 10.1.0.2 many 10.2.0.2 8000', 2, 21123 + 2200, undefined],
      ['forward 6 10.1.0.2 many 10.1.0.1 8080 10.2.0.2 80', 1, 21123, undefined],
    ]);
    assert.equal(r.snapshot.counters.size, 34);
  });

  it('has exactly the flows (identity and connection count) HostFlowAggregator gives `ctflow flows`', () => {
    const b = new ReadingBuilder('flows', 0, ROUTER);
    const agg = new HostFlowAggregator(ROUTER);
    proc.forEach((c) => {
      b.add(c);
      agg.add(c);
    });
    const ours = b.finish(undefined).rows.map((r) => [flowKey(r.flow!), r.conns]).sort();
    const theirs = agg.values().map((f) => [flowKey(f), f.connections]).sort();
    assert.deepStrictEqual(ours, theirs);
    const directions = b.finish(undefined).rows.map((r) => r.flow!.direction);
    assert.deepStrictEqual(
      ['passive', 'active', 'local', 'forward'].map((d) => directions.filter((x) => x === d).length),
      [2, 1, 0, 29],
    );
  });

  it('classifies against the local set it is given: with none, every flow is forward', () => {
    const b = new ReadingBuilder('flows', 0);
    proc.forEach((c) => b.add(c));
    assert.deepStrictEqual(new Set(b.finish(undefined).rows.map((r) => r.flow!.direction)), new Set(['forward']));
  });

  it('gives per-flow rates from per-connection deltas on the next reading', () => {
    const first = new ReadingBuilder('flows', 10, ROUTER);
    proc.forEach((c) => first.add(c));
    const previous = first.finish(undefined).snapshot;
    const next = new ReadingBuilder('flows', 12, ROUTER);
    // row 10 and row 22 are the :80 flow; row 22 is gone, row 10 moved 4000 + 1000 bytes
    proc.forEach((c, i) => {
      if (i === 21) return;
      next.add(i === 9 ? grown(c, 4000, 1000) : c);
    });
    const r = next.finish(previous);
    const web = r.rows.find((row) => row.key === 'forward 6 10.1.0.2 many 10.2.0.2 80')!;
    assert.deepStrictEqual([web.conns, web.rate], [1, {
      bytesPerSec: 2500, packetsPerSec: 1, origBytesPerSec: 2000, replyBytesPerSec: 500, origPacketsPerSec: 0.5, replyPacketsPerSec: 0.5,
    }]);
    assert.equal(r.total.rate!.bytesPerSec, 2500);
  });

  it('keeps rates right when the local set changes between readings (rates are per connection)', () => {
    const first = new ReadingBuilder('flows', 10, new Set());
    proc.forEach((c) => first.add(c));
    const next = new ReadingBuilder('flows', 12, ROUTER);
    // the passive flow to the router's port 2200 (row 3) moved 600 bytes in, 200 out
    proc.forEach((c, i) => next.add(i === 2 ? grown(c, 600, 200) : c));
    const r = next.finish(first.finish(undefined).snapshot);
    const ssh = r.rows.find((row) => row.key === 'passive 6 10.1.0.1 2200 10.1.0.2 many')!;
    assert.deepStrictEqual([ssh.rate!.bytesPerSec, ssh.rate!.origBytesPerSec, r.total.rate!.bytesPerSec], [400, 300, 400]);
  });

  it('keeps one row per connection in connections mode, with port and state', () => {
    const b = new ReadingBuilder('connections', 0, ROUTER);
    proc.forEach((c) => b.add(c));
    const rows = sortRows(b.finish(undefined).rows, 'bytes', false);
    assert.equal(rows.length, 34);
    assert.deepStrictEqual([rows[0]!.flow, rows[0]!.conn, rows[0]!.bytes], [
      undefined, { family: 'ipv4', src: '10.1.0.2', sport: 38658, dst: '10.2.0.2', dport: 80, icmpType: undefined, state: 'TIME_WAIT' }, 66983,
    ]);
  });

  it('shows only the flows the selection keeps, and in connections mode only their connections; the rest count for rates', () => {
    const inAndOut = compileFlowSelection({ directions: ['passive', 'active'] });
    const flows = new ReadingBuilder('flows', 0, ROUTER, inAndOut);
    proc.forEach((c) => flows.add(c));
    const f = flows.finish(undefined);
    assert.deepStrictEqual(f.rows.map((r) => flowKey(r.flow!)).sort(), [
      'active 1 10.2.0.1 many 10.2.0.2 8',
      'passive 1 10.1.0.1 8 10.1.0.2 many',
      'passive 6 10.1.0.1 2200 10.1.0.2 many',
    ]);
    assert.deepStrictEqual([f.total.conns, f.total.bytes, f.snapshot.counters.size], [3, 168 + 168 + 456, 34]);
    const conns = new ReadingBuilder('connections', 0, ROUTER, compileFlowSelection({ directions: ['passive'], passivePorts: new Set([2200]) }));
    proc.forEach((c) => conns.add(c));
    const c = conns.finish(undefined);
    assert.deepStrictEqual(c.rows.map((r) => [r.flow, r.conn, r.bytes]), [
      [undefined, { family: 'ipv4', src: '10.1.0.2', sport: 54352, dst: '10.1.0.1', dport: 2200, icmpType: undefined, state: 'ESTABLISHED' }, 456],
    ]);
    assert.equal(c.snapshot.counters.size, 34);
  });

  it('remembers hidden connections for rates without showing them', () => {
    const b = new ReadingBuilder('flows', 0, ROUTER);
    proc.forEach((c) => b.add(c, c.protocol === 'icmp'));
    const r = b.finish(undefined);
    assert.deepStrictEqual([r.rows.length, r.total.conns, r.snapshot.counters.size], [4, 4, 34]);
  });
});

/** The nat-router lines without delta-time= (which sends a line to the slow parser): lines the fast path scans. */
const scannable = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').split('\n').filter((l) => l !== '').map((l) => l.replace(/ delta-time=\d+/, ''));

/** Every counter of line i grown by i (so each connection moves by its own amount). */
const grownLine = (l: string, i: number): string => l.replace(/(packets|bytes)=(\d+)/g, (_, k: string, n: string) => `${k}=${Number(n) + i * (k === 'bytes' ? 100 : 1)}`);

/** A reading of `lines`: through the scanner (addScan) or through records (add). */
function reading(lines: string[], mode: 'flows' | 'connections', time: number, scan: boolean, previous?: ReturnType<ReadingBuilder['finish']>) {
  const b = new ReadingBuilder(mode, time, ROUTER);
  for (const l of lines) {
    const buf = Buffer.from(l, 'latin1');
    const s = scan ? scanConnBytes(buf, 0, buf.length) : undefined;
    if (scan) assert.notEqual(s, undefined, l);
    if (s !== undefined) b.addScan(s);
    else b.add(parseConnLine(l)!);
  }
  return b.finish(previous?.snapshot);
}

describe('ReadingBuilder on scanned lines', () => {
  const rowsOf = (r: ReturnType<ReadingBuilder['finish']>) => [r.total, r.count, r.rows.map((row) => [row.key, row.conns, row.packets, row.bytes, row.rate])];
  for (const mode of ['flows', 'connections'] as const) {
    it(`gives the ${mode} rows, totals and rates their records give (a line gone, one new, the rest grown)`, () => {
      const next = [...scannable.slice(0, 21), ...scannable.slice(22).map(grownLine), grownLine(scannable[21]!.replace('sport=38658', 'sport=38659'), 7)];
      const viaRecords = reading(next, mode, 12, false, reading(scannable, mode, 10, false));
      const viaScans = reading(next, mode, 12, true, reading(scannable, mode, 10, true));
      assert.deepStrictEqual(rowsOf(viaScans), rowsOf(viaRecords));
      assert.equal(viaScans.total.rate!.bytesPerSec > 0, true);
    });
  }

  it('keys a scanned line and its record alike, so rates go on when a line changes parser between readings', () => {
    const first = reading(scannable, 'flows', 10, true);
    // the same table with delta-time=: every line now goes to the slow parser, nothing moved
    const again = reading(readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').split('\n').filter((l) => l !== ''), 'flows', 12, false, first);
    assert.deepStrictEqual(again.total.rate, {
      bytesPerSec: 0, packetsPerSec: 0, origBytesPerSec: 0, replyBytesPerSec: 0, origPacketsPerSec: 0, replyPacketsPerSec: 0,
    });
  });

  it('sums per-connection deltas per row: a connection gone never makes a rate negative, a new one counts whole', () => {
    const first = reading(scannable, 'connections', 100, true);
    // the :80 flow's row 22 (11/664 up, 11/66319 down) is gone, row 10 moved 4 packets and 400 bytes
    const next = reading([...scannable.slice(0, 9), grownLine(scannable[9]!, 4), ...scannable.slice(10, 21), ...scannable.slice(22)], 'flows', 104, true, first);
    const web = next.rows.find((row) => row.key === 'forward 6 10.1.0.2 many 10.2.0.2 80')!;
    assert.deepStrictEqual([web.conns, web.rate], [1, {
      bytesPerSec: 200, packetsPerSec: 2, origBytesPerSec: 100, replyBytesPerSec: 100, origPacketsPerSec: 1, replyPacketsPerSec: 1,
    }]);
    assert.deepStrictEqual(next.total.rate!.bytesPerSec, 200);
  });

  it('makes only the rows asked for, in sortRows order', () => {
    const r = reading(scannable, 'flows', 10, true);
    const top3 = r.sorted('bytes', false, 3);
    assert.deepStrictEqual(top3.map((row) => row.key), sortRows(r.rows.slice(), 'bytes', false).slice(0, 3).map((row) => row.key));
    assert.deepStrictEqual([top3.length, r.count], [3, 32]);
    for (const key of ['rate', 'pps', 'bytes', 'packets', 'conns'] as const) {
      for (const reverse of [false, true]) {
        assert.deepStrictEqual(r.sorted(key, reverse, Infinity).map((row) => row.key), sortRows(r.rows.slice(), key, reverse).map((row) => row.key));
      }
    }
  });
});

describe('sortRows and nextSortKey', () => {
  const row = (key: string, bytes: number, conns: number, rate?: number): TopRow => ({
    key, protocol: 'tcp', flow: undefined, conn: { family: 'ipv4', src: 'a', sport: undefined, dst: 'b', dport: 1, icmpType: undefined, state: undefined },
    conns, packets: 1, bytes,
    rate: rate === undefined ? undefined : { bytesPerSec: rate, packetsPerSec: 0, origBytesPerSec: 0, replyBytesPerSec: 0, origPacketsPerSec: 0, replyPacketsPerSec: 0 },
  });
  it('sorts biggest first, ties by bytes then key, and reverses', () => {
    const rows = [row('a', 10, 1, 5), row('b', 30, 3, 5), row('c', 20, 2, 50)];
    assert.deepStrictEqual(sortRows([...rows], 'rate', false).map((r) => r.key), ['c', 'b', 'a']);
    assert.deepStrictEqual(sortRows([...rows], 'rate', true).map((r) => r.key), ['a', 'b', 'c']);
    assert.deepStrictEqual(sortRows([...rows], 'conns', false).map((r) => r.key), ['b', 'c', 'a']);
  });
  it('breaks ties between flows in the order `ctflow flows` uses (direction, protocol, addresses, ports)', () => {
    const flow = (direction: HostFlow['direction'], peer: string): TopRow => {
      const f: HostFlow = {
        direction, protocol: 'tcp', protonum: 6, family: 'ipv4', local: { addr: '10.0.0.1', port: 'many' }, peer: { addr: peer, port: 443 },
        natTarget: undefined, connections: 1, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
      };
      return { key: flowKey(f), protocol: 'tcp', flow: f, conn: undefined, conns: 1, packets: undefined, bytes: undefined, rate: undefined };
    };
    const rows = [flow('forward', '10.0.0.9'), flow('active', '10.0.0.10'), flow('active', '10.0.0.9'), flow('passive', '10.0.0.99')];
    assert.deepStrictEqual(sortRows(rows, 'rate', false).map((r) => r.key), [
      'passive 6 10.0.0.1 many 10.0.0.99 443',
      'active 6 10.0.0.1 many 10.0.0.9 443',
      'active 6 10.0.0.1 many 10.0.0.10 443',
      'forward 6 10.0.0.1 many 10.0.0.9 443',
    ]);
  });
  it('cycles rate → pps → bytes → packets → conns → rate', () => {
    assert.deepStrictEqual(['rate', 'pps', 'bytes', 'packets', 'conns'].map((k) => nextSortKey(k as never)), ['pps', 'bytes', 'packets', 'conns', 'rate']);
  });
});
