import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture, runCli } from '../helpers/cli.js';

const TCP = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'LISTEN', 'SYN_SENT2'];

test('protocols --json gives the catalogue in the NethServer shape, complete', async () => {
  const r = await runCli(['protocols', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepStrictEqual(Object.keys(j), ['protocols']);
  assert.deepStrictEqual(j.protocols.tcp, TCP);
  assert.deepStrictEqual(Object.keys(j.protocols), ['tcp', 'sctp', 'dccp', 'udp', 'udplite', 'icmp', 'icmpv6', 'gre']);
  for (const p of ['udp', 'udplite', 'icmp', 'icmpv6', 'gre']) assert.deepStrictEqual(j.protocols[p], []);
});

test('protocols prints a table of protocols and their states', async () => {
  const r = await runCli(['protocols', '--wide']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`│ tcp +│ ${TCP.join(' ')} +│`));
  assert.match(r.stdout, /│ gre +│ \(none\) +│/);
});

test('--live counts a table per protocol and state (inserted capture: MANIFEST figures)', async () => {
  const r = await runCli(['protocols', '--live', '--file', fixture('inserted/proc_nf_conntrack.txt'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { counts } = JSON.parse(r.stdout);
  assert.deepStrictEqual(counts.tcp, {
    total: 13,
    states: { NONE: 1, SYN_SENT: 1, SYN_RECV: 1, ESTABLISHED: 4, FIN_WAIT: 1, CLOSE_WAIT: 1, LAST_ACK: 1, TIME_WAIT: 1, CLOSE: 1, LISTEN: 0, SYN_SENT2: 1 },
  });
  assert.deepStrictEqual(counts.sctp.total, 3);
  assert.deepStrictEqual([counts.sctp.states.COOKIE_WAIT, counts.sctp.states.ESTABLISHED, counts.sctp.states.SHUTDOWN_SENT], [1, 1, 1]);
  assert.deepStrictEqual(Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (v as { total: number }).total])),
    { tcp: 13, sctp: 3, dccp: 1, udp: 6, udplite: 1, icmp: 2, icmpv6: 1, gre: 1, esp: 1 });
});

test('--stdin implies --live; the table view shows counts per state', async () => {
  const table = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'));
  const r = await runCli(['protocols', '--stdin', '--no-color'], { stdin: table, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  const coloured = await runCli(['protocols', '--stdin'], { stdin: table, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.match(coloured.stdout, /\x1b\[/);
  assert.match(r.stdout, /│ tcp +│ +│ +21 │/);
  assert.match(r.stdout, /│ +│ TIME_WAIT +│ +8 │/);
  assert.match(r.stdout, /│ udp +│ +│ +7 │/);
});

test('--exec runs conntrack (--conntrack-bin), and --strict refuses a bad line', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync, chmodSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-proto-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = join(dir, 'conntrack');
  writeFileSync(fake, `#!/bin/sh\ncat '${fixture('proto-zoo/conntrack_L_o_extended.txt')}'\n`);
  chmodSync(fake, 0o755);
  const r = await runCli(['protocols', '--exec', '--conntrack-bin', fake, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepStrictEqual(JSON.parse(r.stdout).counts.sctp.total, 12);
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, 'not a table\n');
  const strict = await runCli(['protocols', '--file', bad, '--strict']);
  assert.deepStrictEqual([strict.code, strict.stderr], [1, 'ctflow: line 1 is not a conntrack entry: "not a table"\n']);
});
