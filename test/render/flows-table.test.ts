import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { ARROWS, flowEndpoint, portText, protocolLabel, renderFlowsTable, writeFlowsTable } from '../../src/render/flows-table.js';
import { createPalette } from '../../src/render/palette.js';

function flow(over: Partial<HostFlow>): HostFlow {
  return {
    direction: 'passive', protocol: 'tcp', protonum: 6, family: 'ipv4',
    local: { addr: '10.3.0.10', port: 22 }, peer: { addr: '10.3.0.21', port: 'many' }, natTarget: undefined,
    connections: 2, inPackets: 10, inBytes: 1000, outPackets: 8, outBytes: 4000, counted: 2,
    ...over,
  };
}

test('four arrows, one per direction', () => {
  assert.deepStrictEqual(ARROWS, { active: '-->', passive: '<--', local: '<->', forward: '==>' });
});

test('ports read as ports, "many", ICMP type names, GRE keys; IPv6 in brackets; portless bare', () => {
  assert.deepStrictEqual(
    [
      flowEndpoint('tcp', '10.0.0.1', 443),
      flowEndpoint('udp', 'fd00::1', 'many'),
      flowEndpoint('icmp', '10.0.0.1', 8),
      flowEndpoint('icmpv6', 'fd00::1', 128),
      flowEndpoint('icmp', '10.0.0.1', 42),
      flowEndpoint('gre', '10.0.0.1', 0x4a1),
      flowEndpoint('esp', '10.0.0.1', undefined),
      flowEndpoint('tcp', '10.0.0.1', 443, 'web.example'),
    ],
    ['10.0.0.1:443', '[fd00::1]:many', '10.0.0.1:echo-request', '[fd00::1]:echo-request', '10.0.0.1:type-42', '10.0.0.1:key-0x4a1', '10.0.0.1', 'web.example:443'],
  );
  assert.equal(portText('tcp', undefined), undefined);
});

test('the table: lsconntrack columns plus protocol, names instead of addresses, "-" without accounting', () => {
  const text = renderFlowsTable(
    [
      flow({}),
      flow({ direction: 'active', family: 'ipv6', local: { addr: 'fd00::10', port: 'many' }, peer: { addr: 'fd00::21', port: 443 }, counted: 0, connections: 1, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 }),
      flow({ direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.1.0.1', port: 2222 }, natTarget: { addr: '10.2.0.2', port: 22 } }),
    ],
    createPalette(false),
    new Map([['10.3.0.21', 'alice.lan']]),
    undefined,
    { width: undefined, exact: true },
  );
  assert.equal(text, [
    '┌───────┬─────────────────┬──────┬─────────────────────────────┬───────┬────────┬─────────┬─────────┬──────────┐',
    '│ Proto │ Local or client │ <--> │ Peer or server              │ Conns │ Inpkts │ Inbytes │ Outpkts │ Outbytes │',
    '│ tcp   │ 10.3.0.10:22    │ <--  │ alice.lan:many              │     2 │     10 │    1000 │       8 │     4000 │',
    '│ tcp6  │ [fd00::10]:many │ -->  │ [fd00::21]:443              │     1 │      - │       - │       - │        - │',
    '│ tcp   │ 10.1.0.2:many   │ ==>  │ 10.1.0.1:2222 → 10.2.0.2:22 │     2 │     10 │    1000 │       8 │     4000 │',
    '└───────┴─────────────────┴──────┴─────────────────────────────┴───────┴────────┴─────────┴─────────┴──────────┘',
    '',
  ].join('\n'));
});

test('protocol labels: a 6 for IPv6 unless the name already says v6; IPv4 names as they are', () => {
  const cases: Array<[string, 'ipv4' | 'ipv6']> = [
    ['tcp', 'ipv4'], ['tcp', 'ipv6'], ['udp', 'ipv6'], ['udplite', 'ipv6'], ['icmp', 'ipv4'], ['icmpv6', 'ipv6'], ['unknown', 'ipv6'], ['gre', 'ipv4'],
  ];
  assert.deepStrictEqual(cases.map(([p, f]) => protocolLabel(p, f)), ['tcp', 'tcp6', 'udp6', 'udplite6', 'icmp', 'icmpv6', 'unknown6', 'gre']);
});

test('streamed: one write per line, from one reused view, the same bytes as the whole-string table', () => {
  const flows = [
    flow({}),
    flow({ direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.1.0.1', port: 2222 }, natTarget: { addr: '10.2.0.2', port: 22 } }),
    flow({ direction: 'active', peer: { addr: '192.0.2.7', port: 443 }, counted: 0 }),
  ];
  // the aggregator hands out one object rewritten for each flow: the writer must not keep it
  const view = flow({});
  const writes: string[] = [];
  writeFlowsTable((t) => writes.push(t), { count: flows.length, flow: (i) => Object.assign(view, flows[i]!) }, createPalette(false));
  assert.equal(writes.length, 1 + flows.length + 1);
  assert.ok(writes.slice(1, -1).every((w) => w.split('\n').length === 2));
  assert.equal(writes.join(''), renderFlowsTable(flows, createPalette(false)));
  assert.equal(writes[3], '│ tcp   │ 10.3.0.10:22    │ -->  │ 192.0.2.7:443               │     2 │      - │       - │       - │        - │\n');
});

test('counters for people by default (3.4k, 1.2 MiB), exact integers with exact', () => {
  const big = flow({ connections: 12345, inPackets: 3400, inBytes: 1258291, outPackets: 123456, outBytes: 5_000_000_000 });
  const row = (exact: boolean): string => renderFlowsTable([big], createPalette(false), undefined, undefined, { width: undefined, exact }).split('\n')[2]!;
  assert.equal(row(false), '│ tcp   │ 10.3.0.10:22    │ <--  │ 10.3.0.21:many │ 12.3k │   3400 │ 1.2 MiB │    123k │  4.7 GiB │');
  assert.equal(row(true), '│ tcp   │ 10.3.0.10:22    │ <--  │ 10.3.0.21:many │ 12345 │   3400 │ 1258291 │  123456 │ 5000000000 │');
});

test('at 80 columns: packet columns and Conns give way, the local side is cut before the peer (to no less than a whole IPv4 address)', () => {
  const f = flow({ direction: 'forward', local: { addr: '192.168.100.200', port: 'many' }, peer: { addr: '203.0.113.250', port: 65535 }, natTarget: { addr: '10.2.0.2', port: 22 } });
  const lines = renderFlowsTable([f], createPalette(false), undefined, undefined, { width: 80, exact: false }).split('\n');
  assert.deepStrictEqual(lines, [
    '┌───────┬──────────────────┬──────┬───────────────────────┬─────────┬──────────┐',
    '│ Proto │ Local or client  │ <--> │ Peer or server        │ Inbytes │ Outbytes │',
    '│ tcp   │ 192.168.100.200~ │ ==>  │ 203.0.113.250:65535 ~ │  1000 B │  3.9 KiB │',
    '└───────┴──────────────────┴──────┴───────────────────────┴─────────┴──────────┘',
    '',
  ]);
  assert.ok(lines.every((l) => [...l].length <= 80));
});

test('a forwarded row has no local side: the headings name the client and the server, full or short', () => {
  const f = flow({ direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.2.0.2', port: 22 }, connections: 1, inBytes: 1, outBytes: 1 });
  const heading = (width: number): string => renderFlowsTable([f], createPalette(false), undefined, undefined, { width, exact: false }).split('\n')[1]!;
  assert.equal(heading(72), '│ Proto │ Local or client │ <--> │ Peer or server │ Inbytes │ Outbytes │');
  assert.equal(heading(67), '│ Proto │ Loc/cli       │ <--> │ Peer/srv    │ Inbytes │ Outbytes │');
});

test('at 80 columns with a long IPv6 peer: a byte count goes before the local side is cut below a whole address', () => {
  const flows = [
    flow({ direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.2.0.2', port: 80 } }),
    flow({ direction: 'forward', local: { addr: 'fd00:a1::2', port: 'many' }, peer: { addr: 'fd00:a2::2', port: 128 }, protocol: 'icmpv6', protonum: 58, family: 'ipv6' }),
    flow({ direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.1.0.1', port: 39027 }, natTarget: { addr: '10.2.0.2', port: 39027 } }),
  ];
  const lines = renderFlowsTable(flows, createPalette(false), undefined, undefined, { width: 80, exact: false }).split('\n');
  assert.deepStrictEqual(lines, [
    '┌────────┬──────────────────┬──────┬─────────────────────────────────┬─────────┐',
    '│ Proto  │ Local or client  │ <--> │ Peer or server                  │ Inbytes │',
    '│ tcp    │ 10.1.0.2:many    │ ==>  │ 10.2.0.2:80                     │  1000 B │',
    '│ icmpv6 │ [fd00:a1::2]:ma~ │ ==>  │ [fd00:a2::2]:echo-request       │  1000 B │',
    '│ tcp    │ 10.1.0.2:many    │ ==>  │ 10.1.0.1:39027 → 10.2.0.2:39027 │  1000 B │',
    '└────────┴──────────────────┴──────┴─────────────────────────────────┴─────────┘',
    '',
  ]);
});
