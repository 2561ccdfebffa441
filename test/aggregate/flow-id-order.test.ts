import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanOfConn } from '../../src/parse/conn-bytes.js';
import { sortFlowIds } from '../../src/aggregate/flow-id-order.js';
import { FLOW_SORT_KEYS } from '../../src/aggregate/flow-order.js';
import { HostFlowAggregator } from '../../src/aggregate/host-flows.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import type { Conn } from '../../src/model.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';
import { FIXTURE_LOCAL_SETS, line, sortFlows } from '../helpers/flows.js';

function aggregatorOf(lines: Iterable<string>, local: readonly string[]): HostFlowAggregator {
  const agg = new HostFlowAggregator(new Set(local));
  for (const text of lines) {
    const c = parseConnLine(text);
    if (c !== undefined) agg.count(scanOfConn(c));
  }
  return agg;
}

// flows sorts the aggregator's flow numbers instead of flow objects: the rows must come out in
// sortFlows' order exactly, ties included, for every key
test('sortFlowIds orders the flows as sortFlows does, for every key, on every fixture', () => {
  let compared = 0;
  for (const local of FIXTURE_LOCAL_SETS) {
    for (const file of fixtureFiles()) {
      const agg = aggregatorOf(lineRanges(file.bytes).map(([s, e]) => file.bytes.toString('latin1', s, e)), local);
      for (const key of FLOW_SORT_KEYS) {
        const byIds = Array.from(sortFlowIds(agg.columns(), key), (f) => agg.flow(f));
        assert.deepStrictEqual(byIds, sortFlows(agg.values(), key), `${file.name}, ${key}, local ${local.join(',')}`);
        compared += byIds.length;
      }
    }
  }
  assert.ok(compared > 5000, `compared ${compared} rows`);
});

// flows that differ only in their NAT target: sortFlows compares a missing target as the empty
// text, which compareAddresses puts after every IPv4 address and before every IPv6 one
test('a flow without a NAT target sorts after IPv4 targets and before IPv6 ones', () => {
  const v4 = [
    'ipv4 2 tcp 6 100 ESTABLISHED src=10.1.0.2 dst=10.1.0.1 sport=5000 dport=8080 src=10.1.0.1 dst=10.1.0.2 sport=8080 dport=5000 [ASSURED] mark=0 zone=0 use=2',
    'ipv4 2 tcp 6 100 ESTABLISHED src=10.1.0.2 dst=10.1.0.1 sport=5001 dport=8080 src=10.2.0.9 dst=10.2.0.1 sport=80 dport=5001 [ASSURED] mark=0 zone=0 use=2',
    'ipv4 2 tcp 6 100 ESTABLISHED src=10.1.0.2 dst=10.1.0.1 sport=5002 dport=8080 src=10.2.0.3 dst=10.2.0.1 sport=80 dport=5002 [ASSURED] mark=0 zone=0 use=2',
  ];
  const v6 = [
    'ipv6 10 tcp 6 100 ESTABLISHED src=fd00:a1:0:0:0:0:0:2 dst=fd00:a1:0:0:0:0:0:1 sport=5000 dport=8080 src=fd00:a2:0:0:0:0:0:9 dst=fd00:a2:0:0:0:0:0:1 sport=80 dport=5000 [ASSURED] mark=0 zone=0 use=2',
    'ipv6 10 tcp 6 100 ESTABLISHED src=fd00:a1:0:0:0:0:0:2 dst=fd00:a1:0:0:0:0:0:1 sport=5001 dport=8080 src=fd00:a1:0:0:0:0:0:1 dst=fd00:a1:0:0:0:0:0:2 sport=8080 dport=5001 [ASSURED] mark=0 zone=0 use=2',
  ];
  const agg = aggregatorOf([...v6, ...v4], []);
  const rows = Array.from(sortFlowIds(agg.columns(), 'bytes'), (f) => line(agg.flow(f), false));
  assert.deepStrictEqual(rows, [
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 (nat 10.2.0.3:80) x1',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 (nat 10.2.0.9:80) x1',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 x1',
    'forward tcp [fd00:a1::2]:many ==> [fd00:a1::1]:8080 x1',
    'forward tcp [fd00:a1::2]:many ==> [fd00:a1::1]:8080 (nat [fd00:a2::9]:80) x1',
  ]);
  assert.deepStrictEqual(rows, sortFlows(agg.values(), 'bytes').map((f) => line(f, false)));
});

test('view() is one reused object that reads as flow() does; flow() makes a new one', () => {
  const c = parseConnLine('ipv4 2 udp 17 20 src=10.0.0.5 dst=10.0.0.53 sport=4000 dport=53 packets=1 bytes=60 src=10.0.0.53 dst=10.0.0.5 sport=53 dport=4000 packets=1 bytes=120 mark=0 use=1') as Conn;
  const d = parseConnLine('ipv4 2 icmp 1 29 src=10.0.0.5 dst=10.0.0.1 type=8 code=0 id=7 packets=1 bytes=84 src=10.0.0.1 dst=10.0.0.5 type=0 code=0 id=7 packets=1 bytes=84 mark=0 use=1') as Conn;
  const agg = new HostFlowAggregator(new Set(['10.0.0.5']));
  agg.count(scanOfConn(c));
  agg.count(scanOfConn(c));
  agg.count(scanOfConn(d));
  const first = agg.view(0);
  assert.equal(line(first), 'active udp 10.0.0.5:many --> 10.0.0.53:53 x2 in=2/240 out=2/120');
  assert.deepStrictEqual({ ...first, local: { ...first.local }, peer: { ...first.peer } }, agg.flow(0));
  const second = agg.view(1);
  assert.equal(second, first);
  assert.equal(line(second), 'active icmp 10.0.0.5:many --> 10.0.0.1:8 x1 in=1/84 out=1/84');
  assert.notEqual(agg.flow(1), agg.flow(1));
  assert.deepStrictEqual(agg.flow(1), agg.values()[1]);
});
