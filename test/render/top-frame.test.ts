import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { flowKey, type TopRow } from '../../src/aggregate/top-rows.js';
import { createPalette } from '../../src/render/palette.js';
import { renderTopFrame, rowLabel, topFrameJson, type TopView } from '../../src/render/top-frame.js';

function flowRow(f: Partial<HostFlow> & Pick<HostFlow, 'direction' | 'local' | 'peer'>, rate?: TopRow['rate']): TopRow {
  const flow: HostFlow = {
    protocol: 'tcp', protonum: 6, family: 'ipv4', natTarget: undefined,
    connections: 1, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0, ...f,
  };
  return { key: flowKey(flow), protocol: flow.protocol, flow, conn: undefined, conns: 1, packets: 3, bytes: 300, rate };
}

describe('rowLabel', () => {
  it('writes flows with the endpoints and arrows of `ctflow flows`, DNAT as `dnat ADDR:PORT` (ASCII only)', () => {
    assert.deepStrictEqual([
      flowRow({ direction: 'passive', local: { addr: '10.0.0.1', port: 22 }, peer: { addr: '10.0.0.2', port: 'many' } }),
      flowRow({ direction: 'active', local: { addr: 'fd00::1', port: 'many' }, peer: { addr: 'fd00::2', port: 443 } }),
      flowRow({ direction: 'local', local: { addr: '127.0.0.1', port: 6379 }, peer: { addr: '127.0.0.1', port: 'many' } }),
      flowRow({
        direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.1.0.1', port: 8080 },
        natTarget: { addr: '10.2.0.2', port: 80 },
      }),
      flowRow({ direction: 'active', protocol: 'icmp', protonum: 1, local: { addr: '10.0.0.1', port: 'many' }, peer: { addr: '10.0.0.2', port: 8 } }),
    ].map(rowLabel), [
      '10.0.0.1:22 <-- 10.0.0.2:many',
      '[fd00::1]:many --> [fd00::2]:443',
      '127.0.0.1:6379 <-> 127.0.0.1:many',
      '10.1.0.2:many ==> 10.1.0.1:8080 dnat 10.2.0.2:80',
      '10.0.0.1:many --> 10.0.0.2:echo-request',
    ]);
  });

  it('writes connections as src:port -> dst:port STATE', () => {
    const row: TopRow = {
      key: 'k', protocol: 'tcp', flow: undefined, conn: { family: 'ipv4', src: '10.0.0.2', sport: 40000, dst: 'fd00::1', dport: 80, icmpType: undefined, state: 'ESTABLISHED' },
      conns: 1, packets: undefined, bytes: undefined, rate: undefined,
    };
    assert.equal(rowLabel(row), '10.0.0.2:40000 -> [fd00::1]:80 ESTABLISHED');
  });
});

describe('topFrameJson', () => {
  const rate = { bytesPerSec: 30, packetsPerSec: 3, origBytesPerSec: 10, replyBytesPerSec: 20, origPacketsPerSec: 1, replyPacketsPerSec: 2 };
  const view = (rows: TopRow[]): TopView => ({
    time: 1000, interval: 2, mode: 'flows', sort: 'rate', reverse: false, paused: false, addressFilter: undefined, rows, count: rows.length,
    total: { conns: rows.length, packets: 6, bytes: 600, rate }, tableSize: undefined,
  });

  it('gives a flow row the flows --json identity and in/out rates by direction (original is outbound for active and forward)', () => {
    const passive = flowRow({ direction: 'passive', local: { addr: '10.0.0.1', port: 22 }, peer: { addr: '10.0.0.2', port: 'many' } }, rate);
    const active = flowRow({ direction: 'active', local: { addr: '10.0.0.1', port: 'many' }, peer: { addr: '10.0.0.3', port: 443 } }, rate);
    const lines = topFrameJson(2, view([passive, active]), Infinity).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
    const rates = { bytes_per_sec: 30, packets_per_sec: 3, orig_bytes_per_sec: 10, reply_bytes_per_sec: 20, orig_packets_per_sec: 1, reply_packets_per_sec: 2 };
    assert.deepStrictEqual(lines, [
      {
        frame: 2, time: 1, type: 'flow', direction: 'passive', protocol: 'tcp', family: 'ipv4',
        local: { addr: '10.0.0.1', port: 22 }, peer: { addr: '10.0.0.2', port: 'many' }, nat_target: null,
        conns: 1, packets: 3, bytes: 300, ...rates,
        in_bytes_per_sec: 10, out_bytes_per_sec: 20, in_packets_per_sec: 1, out_packets_per_sec: 2,
      },
      {
        frame: 2, time: 1, type: 'flow', direction: 'active', protocol: 'tcp', family: 'ipv4',
        local: { addr: '10.0.0.1', port: 'many' }, peer: { addr: '10.0.0.3', port: 443 }, nat_target: null,
        conns: 1, packets: 3, bytes: 300, ...rates,
        in_bytes_per_sec: 20, out_bytes_per_sec: 10, in_packets_per_sec: 2, out_packets_per_sec: 1,
      },
      { frame: 2, time: 1, type: 'total', rows: 2, conns: 2, packets: 6, bytes: 600, ...rates, table_count: null, table_max: null },
    ]);
  });
});

describe('protocol column', () => {
  const view = (rows: TopRow[], mode: TopView['mode']): TopView => ({
    time: Date.UTC(2026, 10, 24, 12, 0, 4), interval: 2, mode, sort: 'rate', reverse: false, paused: false, addressFilter: undefined, rows, count: rows.length,
    total: { conns: rows.length, packets: undefined, bytes: undefined, rate: undefined }, tableSize: undefined,
  });
  const connRow = (family: 'ipv4' | 'ipv6', protocol: string, src: string, dst: string): TopRow => ({
    key: `${protocol} ${src}`, protocol, flow: undefined, conn: { family, src, sport: 40000, dst, dport: 443, icmpType: undefined, state: undefined },
    conns: 1, packets: undefined, bytes: undefined, rate: undefined,
  });

  it('labels rows as `ctflow flows` does (tcp6 for IPv6, icmpv6 as it is) in a column wide enough for udplite6', () => {
    const flows = view([
      flowRow({ direction: 'active', family: 'ipv6', local: { addr: 'fd00::1', port: 'many' }, peer: { addr: 'fd00::2', port: 443 } }),
      flowRow({ direction: 'active', protocol: 'udplite', protonum: 136, family: 'ipv6', local: { addr: 'fd00::1', port: 'many' }, peer: { addr: 'fd00::2', port: 5204 } }),
      flowRow({ direction: 'active', protocol: 'icmpv6', protonum: 58, family: 'ipv6', local: { addr: 'fd00::1', port: 'many' }, peer: { addr: 'fd00::2', port: 128 } }),
      flowRow({ direction: 'passive', local: { addr: '10.0.0.1', port: 22 }, peer: { addr: '10.0.0.2', port: 'many' } }),
    ], 'flows');
    assert.deepStrictEqual(renderTopFrame(flows, createPalette(false), 100, 10).slice(3), [
      'Proto    Flow                                        Conns     Bytes/s   Pkts/s      Bytes      Pkts',
      'tcp6     [fd00::1]:many --> [fd00::2]:443                1           -        -      300 B         3',
      'udplite6 [fd00::1]:many --> [fd00::2]:5204               1           -        -      300 B         3',
      'icmpv6   [fd00::1]:many --> [fd00::2]:echo-request       1           -        -      300 B         3',
      'tcp      10.0.0.1:22 <-- 10.0.0.2:many                   1           -        -      300 B         3',
    ]);
    const conns = view([connRow('ipv6', 'udp', 'fd00::1', 'fd00::2'), connRow('ipv4', 'udp', '10.0.0.1', '10.0.0.2')], 'connections');
    assert.deepStrictEqual(renderTopFrame(conns, createPalette(false), 100, 10).slice(4).map((l) => l.slice(0, 9)), ['udp6     ', 'udp      ']);
  });

  it('keeps the protocol name in NDJSON and adds the family, as flows --json and list --json do', () => {
    const rows = topFrameJson(1, view([connRow('ipv6', 'tcp', 'fd00::1', 'fd00::2')], 'connections'), Infinity)
      .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepStrictEqual([rows[0]!.protocol, rows[0]!.family, rows[0]!.type], ['tcp', 'ipv6', 'connection']);
  });
});
