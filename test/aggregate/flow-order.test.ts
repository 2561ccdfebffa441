import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAddresses } from '../../src/aggregate/flow-order.js';
import { LOCAL_HOST, ROUTER, conns, line, orderedFlows } from '../helpers/flows.js';

test('addresses order numerically, IPv4 before IPv6', () => {
  assert.deepStrictEqual(
    ['fd00::2', '10.0.0.10', '::1', '10.0.0.9', '9.255.255.255'].sort(compareAddresses),
    ['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', 'fd00::2'],
  );
});

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('the order is the same whatever order the table lists connections in', () => {
  const table = conns('nat-router/proc_nf_conntrack.txt');
  for (const key of ['bytes', 'connections', 'packets', 'peer', 'port'] as const) {
    const reference = orderedFlows(table, ROUTER, key).map((f) => line(f));
    for (const seed of [1, 2, 3, 42, 1000]) {
      assert.deepStrictEqual(orderedFlows(shuffled(table, seed), ROUTER, key).map((f) => line(f)), reference, `${key} seed ${seed}`);
    }
  }
});

test('default order: bytes, then connections, then direction/protocol/addresses', () => {
  const flows = orderedFlows(conns('nat-router/proc_nf_conntrack.txt'), ROUTER);
  assert.deepStrictEqual(flows.slice(0, 4).map((f) => line(f)), [
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:80 x2 in=17/68060 out=17/1066',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:8000 x2 in=14/22353 out=15/970',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 (nat 10.2.0.2:80) x1 in=7/20560 out=9/563',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:39027 (nat 10.2.0.2:39027) x1 in=5/10508 out=5/268',
  ]);
  // without counters, equal bytes fall back to connections, then the fixed order
  const local = orderedFlows(conns('local-host/proc_nf_conntrack.txt'), LOCAL_HOST);
  assert.deepStrictEqual(local.slice(0, 3).map((f) => line(f, false)), [
    'passive icmp 10.3.0.10:8 <-- 10.3.0.21:many x1',
    'passive tcp 10.3.0.10:22 <-- 10.3.0.21:many x1',
    'passive tcp 10.3.0.10:22 <-- 10.3.0.22:many x1',
  ]);
});

test('sort keys: connections, packets, peer, port', () => {
  const table = conns('nat-router/proc_nf_conntrack.txt');
  const top = (key: Parameters<typeof orderedFlows>[2], n: number): string[] => orderedFlows(table, ROUTER, key).slice(0, n).map((f) => line(f, false));
  assert.deepStrictEqual(top('connections', 3), [
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:80 x2',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:8000 x2',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 (nat 10.2.0.2:80) x1',
  ]);
  assert.deepStrictEqual(top('packets', 2), [
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:80 x2',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:21 (nat 10.2.0.2:21) x1',
  ]);
  // the peer of a port forward is the router address the client asked for (10.1.0.1)
  assert.deepStrictEqual(top('peer', 3), [
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:21 (nat 10.2.0.2:21) x1',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:2222 (nat 10.2.0.2:22) x1',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 (nat 10.2.0.2:80) x1',
  ]);
  // the service port (ICMP: the request type), then the fixed order: passive, active, local, forward
  assert.deepStrictEqual(top('port', 5), [
    'passive icmp 10.1.0.1:8 <-- 10.1.0.2:many x1',
    'active icmp 10.2.0.1:many --> 10.2.0.2:8 x1',
    'forward icmp 10.1.0.2:many ==> 10.2.0.2:8 x1',
    'forward icmp 10.1.0.2:many ==> 10.2.0.3:8 x1',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:21 (nat 10.2.0.2:21) x1',
  ]);
});

