// Tables say what is happening (issue 16): a line instead of an empty box and why, a closing
// count on stderr, and a hint when accounting is off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';
import { closingCount, grouped, noRowsLine } from '../../src/render/table-summary.js';

const NAT = fixture('nat-router/proc_nf_conntrack.txt');
/** captured with nf_conntrack_acct=0: no counters (MANIFEST) */
const INSERTED = fixture('inserted/proc_nf_conntrack.txt');
const HINT = 'ctflow: packet and byte counters are off in this table (shown as "-"); to count, as root: sysctl -w net.netfilter.nf_conntrack_acct=1 (counts connections made after it)\n';

test('a filter that matches nothing: one line saying so, not an empty box; the count on stderr', async () => {
  const [flows, list] = await Promise.all([
    runCli(['flows', '-n', '--file', NAT, '--local', '10.1.0.1', '-p', 'sctp']),
    runCli(['list', '--file', NAT, '--dport', '9999']),
  ]);
  assert.deepStrictEqual([flows.code, flows.stdout, flows.stderr], [0, 'no connections: none of the 34 entries matches the filters\n', '0 flows from 34 entries\n']);
  assert.deepStrictEqual([list.code, list.stdout, list.stderr], [0, 'no connections: none of the 34 entries matches the filters\n', '0 connections from 34 entries\n']);
  // machine outputs are unchanged: an empty array, nothing on stderr
  const json = await runCli(['list', '--file', NAT, '--dport', '9999', '--json']);
  assert.deepStrictEqual([json.stdout, json.stderr], ['[]\n', '']);
});

test('an empty table says so; the live table hints at the module', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-summary-'));
  try {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const r = await runCli(['list', '--file', empty]);
    assert.deepStrictEqual([r.stdout, r.stderr], ['no connections: the table read has no entries\n', '0 connections from 0 entries\n']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(noRowsLine(0, true), 'no connections: the conntrack table is empty (the kernel tracks only once a firewall rule uses conntrack, e.g. nft ct state)\n');
  assert.equal(closingCount(87114, 'flows', 1000000), '87,114 flows from 1,000,000 entries\n');
  assert.equal(closingCount(1, 'connections', 1), '1 connection from 1 entry\n');
});

test('the closing count after a table, and the accounting hint when every counter is "-"', async () => {
  const [counted, off, offList] = await Promise.all([
    runCli(['flows', '-n', '--file', NAT, '--local', '10.1.0.1,10.2.0.1,fd00:a1::1,fd00:a2::1']),
    runCli(['flows', '-n', '--file', INSERTED, '--local', '10.1.0.1']),
    runCli(['list', '--file', INSERTED, '--limit', '3']),
  ]);
  assert.equal(counted.stderr, '32 flows from 34 entries\n');
  assert.match(off.stderr, /^\d+ flows from 29 entries\n/);
  assert.ok(off.stderr.endsWith(HINT));
  assert.equal(offList.stderr, `3 connections from 29 entries\n${HINT}`);
});

test('counts are grouped by thousands with commas, whatever the locale', () => {
  assert.deepStrictEqual([0, 7, 999, 1000, 87114, 999999, 1000000, 12345678].map(grouped),
    ['0', '7', '999', '1,000', '87,114', '999,999', '1,000,000', '12,345,678']);
});
