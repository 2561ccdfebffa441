import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createProtocolCounter, protocolCatalogue } from '../../src/aggregate/protocols.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { fixture } from '../helpers/cli.js';

test('lists every protocol conntrack tracks with its states, the stateless ones with none', () => {
  const c = protocolCatalogue();
  assert.deepStrictEqual(Object.keys(c), ['tcp', 'sctp', 'dccp', 'udp', 'udplite', 'icmp', 'icmpv6', 'gre']);
  assert.deepStrictEqual(c.tcp, ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'LISTEN', 'SYN_SENT2']);
  assert.equal(c.sctp!.length, 10);
  assert.equal(c.dccp!.length, 10);
  for (const p of ['udp', 'udplite', 'icmp', 'icmpv6', 'gre']) assert.deepStrictEqual(c[p], []);
  c.tcp!.push('MUTATED');
  assert.equal(protocolCatalogue().tcp!.includes('MUTATED'), false);
});

test('counts the proto-zoo table per protocol and state, catalogued states at 0 when absent', () => {
  const counter = createProtocolCounter();
  for (const line of readFileSync(fixture('proto-zoo/proc_nf_conntrack.txt'), 'utf8').split('\n')) {
    const c = parseConnLine(line);
    if (c) counter.add(c);
  }
  const counts = counter.finish();
  assert.deepStrictEqual(Object.keys(counts), ['tcp', 'sctp', 'dccp', 'udp', 'udplite', 'icmp', 'icmpv6', 'gre', 'esp', 'unknown']);
  // MANIFEST (proto-zoo): sctp CLOSED 3, COOKIE_WAIT 1, COOKIE_ECHOED 1, ESTABLISHED 2+1, SHUTDOWN_SENT 1, SHUTDOWN_RECD 1,
  // SHUTDOWN_ACK_SENT 1, HEARTBEAT_SENT 1
  assert.deepStrictEqual(counts.sctp, {
    total: 12,
    states: {
      NONE: 0, CLOSED: 3, COOKIE_WAIT: 1, COOKIE_ECHOED: 1, ESTABLISHED: 3, SHUTDOWN_SENT: 1, SHUTDOWN_RECD: 1,
      SHUTDOWN_ACK_SENT: 1, HEARTBEAT_SENT: 1, HEARTBEAT_ACKED: 0,
    },
  });
  assert.deepStrictEqual(counts.tcp!.total, 2);
  assert.deepStrictEqual([counts.tcp!.states.ESTABLISHED, counts.tcp!.states.TIME_WAIT, counts.tcp!.states.LISTEN], [1, 1, 0]);
  assert.deepStrictEqual(
    ['dccp', 'udp', 'udplite', 'icmp', 'icmpv6', 'gre', 'esp', 'unknown'].map((p) => counts[p]!.total),
    [2, 2, 4, 3, 2, 4, 2, 2],
  );
  assert.deepStrictEqual(counts.esp, { total: 2, states: {} });
});
