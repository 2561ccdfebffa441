// Counters for people in every table (1.2 MiB, 3.4k), exact integers with --exact/-x, and tables
// into a pipe fit 80 columns unless --wide (issue 16, Units and Width).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runCli } from '../helpers/cli.js';
import { wordLines } from '../../src/render/protocols.js';

const NAT = fixture('nat-router/proc_nf_conntrack.txt');
const LOCAL = '10.1.0.1,10.2.0.1,fd00:a1::1,fd00:a2::1';
const longest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

test('flows: human bytes by default, exact with --exact; 80 columns into a pipe, wider with --wide', async () => {
  const args = ['flows', '-n', '--file', NAT, '--local', LOCAL, '--limit', '1'];
  const [human, exact, wide] = await Promise.all([runCli(args), runCli([...args, '--exact']), runCli([...args, '--wide', '-x'])]);
  assert.match(human.stdout.split('\n')[2]!, /│ +66 KiB │ +1\.0 KiB │$/);
  assert.match(exact.stdout.split('\n')[2]!, /│ +68060 │ +1066 │$/);
  assert.equal(wide.stdout.split('\n')[2], '│ tcp   │ 10.1.0.2:many   │ ==>  │ 10.2.0.2:80    │     2 │     17 │   68060 │      17 │     1066 │');
  assert.ok(longest(human.stdout) <= 80 && longest(exact.stdout) <= 80 && longest(wide.stdout) > 80);
});

test('list: Pkts and Bytes human by default, exact with -x', async () => {
  const args = ['list', '--file', NAT, '--limit', '1', '--wide'];
  const [human, exact] = await Promise.all([runCli(args), runCli([...args, '-x'])]);
  assert.match(human.stdout.split('\n')[2]!, /│ +22 │ +65 KiB │ +1m54s │/);
  assert.match(exact.stdout.split('\n')[2]!, /│ +22 │ +66983 │ +1m54s │/);
});

test('top: Bytes and Pkts exact with --exact', async () => {
  const args = ['top', '--once', '--file', NAT, '--local', LOCAL, '--limit', '1', '--wide'];
  const [human, exact, x] = await Promise.all([runCli(args), runCli([...args, '--exact']), runCli([...args, '-x'])]);
  assert.equal(human.stdout.split('\n')[4], 'tcp      10.1.0.2:many ==> 10.2.0.2:80      2           -        -     68 KiB        34');
  assert.equal(exact.stdout.split('\n')[4], 'tcp      10.1.0.2:many ==> 10.2.0.2:80      2           -        -      69126        34');
  assert.equal(x.stdout.split('\n')[4], exact.stdout.split('\n')[4]);
});

test('stats: traffic in human units, exact with --exact; JSON always exact', async () => {
  const [human, exact, x, json] = await Promise.all([
    runCli(['stats', '--file', NAT]), runCli(['stats', '--file', NAT, '--exact']), runCli(['stats', '--file', NAT, '-x']), runCli(['stats', '--file', NAT, '--json']),
  ]);
  assert.match(human.stdout, /^Traffic {2}237 packets, 143 KiB$/m);
  assert.match(exact.stdout, /^Traffic {2}237 packets, 146007 bytes$/m);
  assert.match(x.stdout, /^Traffic {2}237 packets, 146007 bytes$/m);
  const j = JSON.parse(json.stdout) as { bytes: number; packets: number };
  assert.deepStrictEqual([j.packets, j.bytes], [237, 146007]);
});

test('protocols: the states go on as many lines as the width needs', async () => {
  assert.deepStrictEqual(wordLines(['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED'], 20), ['NONE SYN_SENT', 'SYN_RECV ESTABLISHED']);
  assert.deepStrictEqual(wordLines(['HEARTBEAT_ACKED_LONG'], 10), ['HEARTBEAT_ACKED_LONG']);
  const r = await runCli(['protocols']);
  assert.ok(longest(r.stdout) <= 80);
  assert.match(r.stdout, /│ tcp +│ NONE SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT LAST_ACK │\n│ +│ TIME_WAIT CLOSE LISTEN SYN_SENT2 +│/);
});
