import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { flowToJsonText } from '../../src/render/flows-json.js';
import { FLOW_JSON_MAX, writeFlowJson } from '../../src/render/flows-json-bytes.js';
import { LOCAL_HOST, ROUTER, aggregate, conns } from '../helpers/flows.js';

/** The bytes writeFlowJson leaves at an offset in a dirty buffer, or undefined when it declined. */
function written(f: HostFlow, name: string | undefined, at = 5): string | undefined {
  const buf = Buffer.alloc(at + FLOW_JSON_MAX, 0x78);
  const end = writeFlowJson(f, name, buf, at);
  return end < 0 ? undefined : buf.toString('utf8', at, end);
}

const captures = ['local-host/proc_nf_conntrack.txt', 'nat-router/proc_nf_conntrack.txt', 'proto-zoo/proc_nf_conntrack.txt', 'inserted/proc_nf_conntrack.txt'];

test('writes exactly flowToJsonText for every flow of every capture, as host and as router', () => {
  const directions = new Set<string>();
  let flows = 0;
  for (const rel of captures) {
    for (const local of [LOCAL_HOST, ROUTER, new Set<string>()]) {
      for (const f of aggregate(conns(rel), local)) {
        directions.add(f.direction);
        flows++;
        assert.equal(written(f, undefined), flowToJsonText(f));
        const names = new Map([[f.peer.addr, 'db-1.example.net']]);
        assert.equal(written(f, 'db-1.example.net'), flowToJsonText(f, names));
      }
    }
  }
  // every direction, NAT targets included, went through the writer
  assert.deepStrictEqual([...directions].sort(), ['active', 'forward', 'local', 'passive']);
  assert.ok(flows > 100, `${flows} flows`);
});

test('a name that needs escaping is left to the string writer', () => {
  const [f] = aggregate(conns('local-host/proc_nf_conntrack.txt'), LOCAL_HOST);
  assert.equal(written(f!, 'caf\u00e9.example'), undefined);
  assert.equal(written(f!, 'a"b'), undefined);
  assert.equal(written(f!, 'plain.example'), flowToJsonText(f!, new Map([[f!.peer.addr, 'plain.example']])));
});
