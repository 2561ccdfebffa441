// A real netdata agent (Debian package `netdata`), run inside a private network namespace so its
// netfilter.conntrack_sockets chart counts that namespace's table (entries we inserted), bound
// to the namespace's own 127.0.0.1. `ctflow stats --netdata` inside the namespace must return the
// series in the NethServer shape. The agent is stopped by its process group afterwards.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { missingBinary, startDaemon, waitFor } from '../helpers/daemon.js';
import { createNetns, deleteNetns, inNetns, netnsUnavailable } from '../helpers/netns.js';

const PORT = 19999; // a fresh namespace has nothing listening: netdata's default port is free there

function netdataConf(dir: string): string {
  const disabled = ['apps', 'python.d', 'charts.d', 'go.d', 'ebpf', 'cgroups', 'tc', 'idlejitter', 'diskspace', 'slabinfo',
    'perf', 'statsd', 'nfacct', 'node.d', 'fping', 'ioping', 'timex', 'checks', 'debugfs', 'freeipmi', 'cups', 'xenstat'];
  return [
    '[global]', '\trun as user = root', '\tmemory mode = ram', '\tupdate every = 1',
    '[directories]', ...['cache', 'lib', 'log', 'run', 'lock'].map((d) => `\t${d} = ${join(dir, d)}`),
    '[logs]', '\tdebug log = none', `\terror log = ${join(dir, 'log', 'error.log')}`, '\taccess log = none',
    '[web]', `\tbind to = 127.0.0.1:${PORT}`,
    '[plugins]', ...disabled.map((p) => `\t${p} = no`),
    '[ml]', '\tenabled = no', '[health]', '\tenabled = no', '[cloud]', '\tenabled = no', '[registry]', '\tenabled = no',
    '',
  ].join('\n');
}

test('stats --netdata URL --since 60 --json returns a real agent\'s conntrack series in the NethServer shape', { timeout: 90_000 }, async (t) => {
  const why = netnsUnavailable(true, true) ?? missingBinary('netdata', ['-v'], 'netdata');
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-netdata-'));
  for (const d of ['cache', 'lib', 'log', 'run', 'lock']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'netdata.conf'), netdataConf(dir));
  const ns = createNetns('netdata');
  // No netfilter hooks in this namespace (no enableConntrack): conntrack -I still inserts, but the
  // HTTP connections to the agent on loopback are not tracked, so the count stays exactly 3.
  for (const sport of ['41001', '41002', '41003']) {
    inNetns(ns, 'conntrack', ['-I', '-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', sport, '--dport', '443',
      '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600']);
  }
  const agent = startDaemon('ip', ['netns', 'exec', ns, 'netdata', '-D', '-c', join(dir, 'netdata.conf'), '-u', 'root']);
  t.after(async () => {
    await agent.stop();
    deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(inNetns(ns, 'conntrack', ['-C']).trim(), '3');
  const url = `http://127.0.0.1:${PORT}`;
  // the chart appears once the proc plugin has read /proc/net/stat/nf_conntrack twice
  const series = await waitFor(async () => {
    const r = await runCli(['stats', '--netdata', url, '--since', '60', '--json'], { netns: ns, timeoutMs: 15_000 });
    if (r.code !== 0) return undefined;
    const j = JSON.parse(r.stdout) as { labels: string[]; data: number[][] };
    return j.data.length >= 2 ? j : undefined;
  }, 60_000, 'the netfilter.conntrack_sockets chart', agent.output);

  assert.deepStrictEqual(Object.keys(series), ['labels', 'data']);
  assert.deepStrictEqual(series.labels, ['time', 'connections']);
  assert.ok(series.data.length <= 61, `at most 60 s of samples, got ${series.data.length}`);
  for (const [i, row] of series.data.entries()) {
    assert.equal(row.length, 2);
    assert.ok(Number.isInteger(row[0]) && row[0]! > 1.7e9, `epoch seconds: ${row[0]}`);
    assert.equal(row[1], 3, 'the namespace holds the 3 inserted entries');
    if (i > 0) assert.ok(series.data[i - 1]![0]! > row[0]!, 'newest first');
  }
  // the agent's own answer, fetched independently, holds the same points
  const raw = JSON.parse(inNetns(ns, process.execPath, ['-e',
    `fetch(${JSON.stringify(`${url}/api/v1/data?chart=netfilter.conntrack_sockets&after=-60&format=json`)}).then((r) => r.text()).then((t) => process.stdout.write(t))`,
  ])) as { labels: string[]; data: Array<[number, number | null]> };
  assert.deepStrictEqual(raw.labels, ['time', 'connections']);
  const rawByTime = new Map(raw.data.map(([time, n]) => [time, n]));
  const shared = series.data.filter(([time]) => rawByTime.has(time!));
  assert.ok(shared.length >= 1, 'the two reads overlap in time');
  for (const [time, n] of shared) assert.equal(rawByTime.get(time!), n, `sample at ${time}`);
  const now = Date.now() / 1000;
  assert.ok(Math.abs(now - series.data[0]![0]!) < 30, 'the newest sample is recent');

  // the same URL without --json: the human summary
  const human = await runCli(['stats', '--netdata', url, '--since', '60'], { netns: ns });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^Connections from ${url}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d → \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(\\d+ samples\\)\\nnow 3  min 3  max 3  ▁+\\n$`));

  // a chart the agent lacks is one sentence (netdata answers 404 when the URL points elsewhere)
  const wrong = await runCli(['stats', '--netdata', `${url}/nothing-here/`, '--json'], { netns: ns });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^ctflow: netdata http:\/\/127\.0\.0\.1:19999\/nothing-here\/: must have the chart netfilter\.conntrack_sockets, got HTTP 404.*\n$/);
});
