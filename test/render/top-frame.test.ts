import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { flowKey, type TopRow } from '../../src/aggregate/top-rows.js';
import { rowLabel, topFrameJson, type TopView } from '../../src/render/top-frame.js';

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
      key: 'k', protocol: 'tcp', flow: undefined, conn: { src: '10.0.0.2', sport: 40000, dst: 'fd00::1', dport: 80, icmpType: undefined, state: 'ESTABLISHED' },
      conns: 1, packets: undefined, bytes: undefined, rate: undefined,
    };
    assert.equal(rowLabel(row), '10.0.0.2:40000 -> [fd00::1]:80 ESTABLISHED');
  });
});

describe('topFrameJson', () => {
  const rate = { bytesPerSec: 30, packetsPerSec: 3, origBytesPerSec: 10, replyBytesPerSec: 20, origPacketsPerSec: 1, replyPacketsPerSec: 2 };
  const view = (rows: TopRow[]): TopView => ({
    time: 1000, interval: 2, mode: 'flows', sort: 'rate', reverse: false, paused: false, addressFilter: undefined, rows,
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
