// As root, in a private network namespace: what the flows and list tables say about the host's
// own table when it is empty (no rule has asked the kernel to track anything yet) and when
// accounting is off. The host's own table is never read or changed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';

const why = netnsUnavailable(true, true);
if (why) console.log(`# skipping table summary integration tests: ${why}`);

const EMPTY = 'no connections: the conntrack table is empty (the kernel tracks only once a firewall rule uses conntrack, e.g. nft ct state)\n';
const HINT = 'ctflow: packet and byte counters are off in this table (shown as "-"); to count, as root: sysctl -w net.netfilter.nf_conntrack_acct=1 (counts connections made after it)\n';

describe('the live table: empty, and without accounting', { skip: why }, () => {
  let ns = '';
  before(() => {
    ns = createNetns('summary');
  });
  after(() => deleteNetns(ns));

  it('an empty table says why instead of an empty box; the count on stderr', async () => {
    const [list, flows] = await Promise.all([
      runCli(['list'], { netns: ns }),
      runCli(['flows', '-n', '--local', '192.0.2.1'], { netns: ns }),
    ]);
    assert.deepStrictEqual([list.code, list.stdout, list.stderr], [0, EMPTY, '0 connections from 0 entries\n']);
    assert.deepStrictEqual([flows.code, flows.stdout, flows.stderr], [0, EMPTY, '0 flows from 0 entries\n']);
  });

  it('with nf_conntrack_acct=0 every counter is "-" and stderr says how to turn counting on', async () => {
    enableConntrack(ns, { acct: false });
    inNetns(ns, 'conntrack', ['-I', '-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.1', '--sport', '40001', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600']);
    const [list, flows] = await Promise.all([
      runCli(['list', '--wide', '--exact'], { netns: ns }),
      runCli(['flows', '-n', '--local', '192.0.2.1', '--wide', '--exact'], { netns: ns }),
    ]);
    assert.equal(list.code, 0);
    assert.match(list.stdout.split('\n')[2]!, /^│ tcp +│ ESTABLISHED │ 192\.0\.2\.10:40001 │ → │ 192\.0\.2\.1:22 │ +│ +- │ +- │/);
    assert.equal(list.stderr, `1 connection from 1 entry\n${HINT}`);
    assert.equal(flows.stdout.split('\n')[2], '│ tcp   │ 192.0.2.1:22    │ <--  │ 192.0.2.10:many │     1 │      - │       - │       - │        - │');
    assert.equal(flows.stderr, `1 flow from 1 entry\n${HINT}`);
  });
});
