// --prom-file read by a real prometheus-node-exporter (Debian package) through its textfile
// collector: ctflow writes the figures of a private namespace's table into a temporary
// directory, the exporter (on 127.0.0.1, a free port) serves them on /metrics, and every value
// must arrive as written, with node_textfile_scrape_error 0. The exporter is stopped afterwards.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { missingBinary, startDaemon, waitFor } from '../helpers/daemon.js';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';

const EXPORTER = 'prometheus-node-exporter';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sample lines of /metrics as "name{labels}" → value. */
function samples(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    map.set(line.slice(0, space), line.slice(space + 1));
  }
  return map;
}

const INSERTS = [
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '42001', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600', '-m', '9'],
  ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '42002', '--dport', '443', '--state', 'SYN_SENT', '-t', '120'],
  ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '42003', '--dport', '53', '-t', '30'],
  ['-p', 'tcp', '-s', '2001:db8::1', '-d', '2001:db8::2', '--sport', '42004', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '3600'],
];

test('node_exporter\'s textfile collector serves --prom-file with the right values and no scrape error', { timeout: 60_000 }, async (t) => {
  const why = netnsUnavailable(true, true) ?? missingBinary(EXPORTER, ['--version'], 'prometheus-node-exporter');
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-textfile-'));
  const ns = createNetns('prom');
  enableConntrack(ns);
  for (const args of INSERTS) inNetns(ns, 'conntrack', ['-I', ...args]);
  const max = inNetns(ns, 'cat', ['/proc/sys/net/netfilter/nf_conntrack_max']).trim();
  const port = await freePort();
  const exporter = startDaemon(EXPORTER, [
    `--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile',
    `--collector.textfile.directory=${dir}`,
  ]);
  t.after(async () => {
    await exporter.stop();
    deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });
  const promFile = join(dir, 'ctflow.prom');
  const scrape = async (): Promise<Map<string, string>> => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    return samples(await res.text());
  };

  const written = await runCli(['stats', '--prom-file', promFile], { netns: ns });
  assert.deepStrictEqual([written.code, written.stdout, written.stderr], [0, '', '']);
  assert.deepStrictEqual(readdirSync(dir), ['ctflow.prom']);
  let m = await waitFor(async () => {
    const s = await scrape();
    return s.has('ctflow_entries') ? s : undefined;
  }, 20_000, 'node_exporter to serve ctflow_entries', exporter.output);

  const expected: Array<[string, string]> = [
    ['node_textfile_scrape_error', '0'],
    ['ctflow_entries', '4'],
    ['ctflow_replied_entries', '2'],
    ['ctflow_conntrack_count', '4'],
    ['ctflow_conntrack_max', max],
    ['ctflow_entries_by_family{family="ipv4"}', '3'],
    ['ctflow_entries_by_family{family="ipv6"}', '1'],
    ['ctflow_entries_by_protocol{family="ipv4",protocol="tcp"}', '2'],
    ['ctflow_entries_by_protocol{family="ipv4",protocol="udp"}', '1'],
    ['ctflow_entries_by_state{family="ipv4",protocol="tcp",state="ESTABLISHED"}', '1'],
    ['ctflow_entries_by_state{family="ipv4",protocol="tcp",state="SYN_SENT"}', '1'],
    ['ctflow_entries_by_state{family="ipv6",protocol="tcp",state="ESTABLISHED"}', '1'],
    ['ctflow_entries_by_status{status="assured"}', '2'],
    ['ctflow_entries_by_status{status="unreplied"}', '2'],
    ['ctflow_entries_by_mark{mark="9"}', '1'],
    ['ctflow_kernel_insert_total', '4'],
    ['ctflow_kernel_entries', '4'],
  ];
  assert.deepStrictEqual(expected.map(([k]) => [k, m.get(k)]), expected);
  const fill = Number(m.get('ctflow_fill_ratio'));
  assert.ok(Math.abs(fill - 4 / Number(max)) < 1e-6, `fill ratio ${fill}`);
  const mtime = Number(m.get('node_textfile_mtime_seconds{file="ctflow.prom"}') ?? m.get(`node_textfile_mtime_seconds{file="${promFile}"}`));
  assert.ok(mtime > 1.7e9, 'the exporter saw the file');

  // cron runs it again: the file is replaced whole and the exporter serves the new figures
  inNetns(ns, 'conntrack', ['-I', '-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '42005', '--dport', '53', '-t', '30']);
  const again = await runCli(['stats', '--prom-file', promFile], { netns: ns });
  assert.equal(again.code, 0, again.stderr);
  m = await scrape();
  assert.deepStrictEqual(
    [m.get('node_textfile_scrape_error'), m.get('ctflow_entries'), m.get('ctflow_conntrack_count'), m.get('ctflow_kernel_insert_total'),
      m.get('ctflow_entries_by_protocol{family="ipv4",protocol="udp"}')],
    ['0', '5', '5', '5', '2'],
  );
  assert.deepStrictEqual(readdirSync(dir), ['ctflow.prom']);
});
