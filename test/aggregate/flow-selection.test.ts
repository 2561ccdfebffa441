import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFlowSelection } from '../../src/aggregate/flow-selection.js';
import { LOCAL_HOST, aggregate, conns, line, sortFlows } from '../helpers/flows.js';

test('selection: directions, --aport, --pport and --listening', () => {
  const flows = sortFlows(aggregate(conns('local-host/proc_nf_conntrack.txt'), LOCAL_HOST));
  const pick = (sel: Parameters<typeof compileFlowSelection>[0]): string[] => flows.filter(compileFlowSelection(sel)).map((f) => line(f, false));
  assert.deepStrictEqual(pick({ directions: ['local'] }), [
    'local tcp 10.3.0.10:80 <-> 10.3.0.10:many x1',
    'local tcp 127.0.0.1:6379 <-> 127.0.0.1:many x1',
    'local tcp [::1]:443 <-> [::1]:many x1',
  ]);
  assert.deepStrictEqual(pick({ directions: ['active'], activePorts: new Set([443, 123]) }), [
    'active tcp 10.3.0.10:many --> 10.3.0.21:443 x1',
    'active tcp [fd00:a3::10]:many --> [fd00:a3::21]:443 x1',
    'active udp 10.3.0.10:many --> 10.3.0.21:123 x1',
  ]);
  assert.deepStrictEqual(pick({ directions: ['passive'], passivePorts: new Set([22]) }), [
    'passive tcp 10.3.0.10:22 <-- 10.3.0.21:many x1',
    'passive tcp 10.3.0.10:22 <-- 10.3.0.22:many x1',
  ]);
  // only 22 and 53/udp listen: passive flows elsewhere go, other directions stay
  const kept = pick({ listening: new Set(['tcp/22', 'udp/53']) });
  assert.deepStrictEqual(kept.filter((l) => l.startsWith('passive')), [
    'passive tcp 10.3.0.10:22 <-- 10.3.0.21:many x1',
    'passive tcp 10.3.0.10:22 <-- 10.3.0.22:many x1',
    'passive udp 10.3.0.10:53 <-- 10.3.0.23:many x1',
  ]);
  assert.equal(kept.length, 3 + 8 + 3);
});


test('no flow-level option keeps every flow through the shared KEEP_ALL predicate', async () => {
  const { KEEP_ALL } = await import('../../src/aggregate/flow-selection.js');
  assert.equal(compileFlowSelection({}), KEEP_ALL);
  assert.equal(compileFlowSelection({ directions: [], activePorts: new Set(), passivePorts: new Set() }), KEEP_ALL);
  assert.notEqual(compileFlowSelection({ directions: ['active'] }), KEEP_ALL);
});
