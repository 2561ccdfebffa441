import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { flowCsvHeader, flowToCsv, flowToJson } from '../../src/render/flows-json.js';

function flow(over: Partial<HostFlow>): HostFlow {
  return {
    direction: 'passive', protocol: 'tcp', protonum: 6, family: 'ipv4',
    local: { addr: '10.3.0.10', port: 22 }, peer: { addr: '10.3.0.21', port: 'many' }, natTarget: undefined,
    connections: 2, inPackets: 10, inBytes: 1000, outPackets: 8, outBytes: 4000, counted: 2,
    ...over,
  };
}

test("a passive flow keeps lsconntrack's field names, ports as numbers and \"many\" as a string", () => {
  assert.deepStrictEqual(flowToJson(flow({}), new Map([['10.3.0.21', 'alice.lan']])), {
    direction: 'passive',
    protocol: 'tcp',
    family: 'ipv4',
    local: { addr: '10.3.0.10', port: 22 },
    peer: { addr: '10.3.0.21', port: 'many', name: 'alice.lan' },
    connections: 2,
    stat: { total_inbound_packets: 10, total_inbound_bytes: 1000, total_outbound_packets: 8, total_outbound_bytes: 4000 },
  });
});

test('peer.name is null without a name (-n or no PTR); portless protocols have port null', () => {
  const j = flowToJson(flow({ direction: 'active', protocol: 'esp', protonum: 50, local: { addr: '10.4.0.1', port: undefined }, peer: { addr: '10.4.0.2', port: undefined } }));
  assert.deepStrictEqual([j.direction, j.local, j.peer], ['active', { addr: '10.4.0.1', port: null }, { addr: '10.4.0.2', port: null, name: null }]);
  assert.equal('src' in j, false);
});

test('forward flows add src, dst and nat_target (null when not DNAT’ed)', () => {
  const fwd = flow({
    direction: 'forward', local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.1.0.1', port: 2222 },
    natTarget: { addr: '10.2.0.2', port: 22 },
  });
  const j = flowToJson(fwd);
  assert.deepStrictEqual([j.src, j.dst, j.nat_target], [
    { addr: '10.1.0.2', port: 'many' }, { addr: '10.1.0.1', port: 2222 }, { addr: '10.2.0.2', port: 22 },
  ]);
  assert.equal(flowToJson({ ...fwd, natTarget: undefined }).nat_target, null);
  assert.deepStrictEqual(Object.keys(j), ['direction', 'protocol', 'family', 'local', 'peer', 'connections', 'stat', 'src', 'dst', 'nat_target']);
});

test('CSV: one header, one row per flow, empty cells for absent values, quoting when needed', () => {
  assert.equal(flowCsvHeader(), 'direction,protocol,family,local_addr,local_port,peer_addr,peer_port,peer_name,nat_target_addr,nat_target_port,connections,inbound_packets,inbound_bytes,outbound_packets,outbound_bytes\n');
  assert.equal(flowToCsv(flow({})), 'passive,tcp,ipv4,10.3.0.10,22,10.3.0.21,many,,,,2,10,1000,8,4000\n');
  assert.equal(
    flowToCsv(flow({ direction: 'forward', natTarget: { addr: '10.2.0.2', port: 22 } }), new Map([['10.3.0.21', 'a,b']])),
    'forward,tcp,ipv4,10.3.0.10,22,10.3.0.21,many,"a,b",10.2.0.2,22,2,10,1000,8,4000\n',
  );
});

test('flowToJsonText is JSON.stringify(flowToJson) for every fixture flow, names and text that needs escaping', async () => {
  const { flowToJsonText } = await import('../../src/render/flows-json.js');
  const { aggregate, conns, ROUTER } = await import('../helpers/flows.js');
  const flows = [
    ...aggregate(conns('nat-router/proc_nf_conntrack.txt'), ROUTER),
    ...aggregate(conns('../generated/proc-300.txt'), new Set(['10.0.1.5', '2001:db8:1::5'])),
    flow({}), flow({ direction: 'forward', natTarget: { addr: '10.9.9.9', port: 8080 } }), flow({ direction: 'forward' }),
    flow({ direction: 'active', protocol: 'esp', protonum: 50, local: { addr: 'a"b\\c\u0001é', port: undefined }, peer: { addr: '::1', port: undefined } }),
    flow({ inBytes: 2 ** 53 - 1, outBytes: 1e21 }),
  ];
  assert.ok(flows.length > 20);
  const names = new Map([['10.3.0.21', 'alice.lan'], ['::1', 'q"uote\n']]);
  for (const f of flows) {
    assert.equal(flowToJsonText(f), JSON.stringify(flowToJson(f)));
    assert.equal(flowToJsonText(f, names), JSON.stringify(flowToJson(f, names)));
  }
});
