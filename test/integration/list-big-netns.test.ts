// As root, in a private network namespace: a live table big enough (by its entry count) for
// list's sorted output to use a worker beside the read — the store's rows, and a table's or
// CSV's rows to write, made and measured on every core (scan/store-rows-job.ts) — must print
// what one thread prints (CTFLOW_WORKERS=0: no worker). The host's own table is never read or changed.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, inNetns, netnsUnavailable } from '../helpers/netns.js';
import { PARALLEL_MIN } from '../../src/scan/run-scan.js';

// run-scan sizes the kernel's table at 150 bytes an entry: this many make it a big one
const ENTRIES = Math.ceil(PARALLEL_MIN / 150) + 2000;

function unavailable(): string | undefined {
  const why = netnsUnavailable(true, false);
  if (why !== undefined) return why;
  const max = Number(readFileSync('/proc/sys/net/netfilter/nf_conntrack_max', 'utf8'));
  return max < ENTRIES ? `nf_conntrack_max is ${max}, the test needs room for ${ENTRIES} entries (it never raises it)` : undefined;
}

const why = unavailable();
if (why) console.log(`# skipping the big live list test: ${why}`);

/** One `conntrack -R` batch of unique TCP entries with a timeout whose text keeps its width. */
function batch(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const src = `10.1.${(i >> 8) & 255}.${i & 255}`;
    const dst = `10.2.${i % 7}.${1 + (i % 200)}`;
    lines.push(`-I -p tcp -s ${src} -d ${dst} --sport ${1024 + (i >> 16)} --dport ${[22, 80, 443, 5432][i % 4]} -t 7000 --state ESTABLISHED -u ASSURED`);
  }
  return `${lines.join('\n')}\n`;
}

/** The timeout ticks between two reads: its cells (1h56m) and fields are left out of comparisons. */
const withoutTimeouts = (table: string): string => table.replace(/\b\d+h\d\dm\b/g, 'T');

describe('ctflow list on a big live table, with and without its helpers', { skip: why }, () => {
  let ns = '';
  let dir = '';
  before(() => {
    ns = createNetns('list-big');
    dir = mkdtempSync(join(tmpdir(), 'ctflow-list-big-'));
    writeFileSync(join(dir, 'batch.txt'), batch(ENTRIES));
    inNetns(ns, 'conntrack', ['-R', join(dir, 'batch.txt')]);
  });
  after(() => {
    deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the entries', () => {
    assert.equal(Number(inNetns(ns, 'cat', ['/proc/sys/net/netfilter/nf_conntrack_count'])), ENTRIES);
  });

  it('the table made in the parse that fills the store is the table one thread makes', async () => {
    const args = ['list', '--sort', 'src', '-n'];
    const one = await runCli(args, { netns: ns, env: { CTFLOW_WORKERS: '0' } });
    const both = await runCli(args, { netns: ns });
    assert.equal(both.code, 0);
    assert.equal(one.code, 0);
    // the top rule, the headings, a row each, the bottom rule, and the empty string after the last newline
    assert.equal(both.stdout.split('\n').length, ENTRIES + 4);
    assert.equal(withoutTimeouts(both.stdout), withoutTimeouts(one.stdout));
    assert.equal(both.stderr, one.stderr);
  });

  it('CSV made in the parse that fills the store is the CSV one thread writes', async () => {
    const args = ['list', '--sort', 'dst', '--reverse', '--csv'];
    const one = await runCli(args, { netns: ns, env: { CTFLOW_WORKERS: '0' } });
    const both = await runCli(args, { netns: ns });
    assert.equal(both.code, 0);
    assert.equal(one.code, 0);
    // the header, a row each, and the empty string after the last newline
    assert.equal(both.stdout.split('\n').length, ENTRIES + 2);
    // (the timeout is the CSV's fourth field)
    const rows = (csv: string): string[] => csv.split('\n').map((row) => row.split(',').map((f, i) => (i === 3 ? 'T' : f)).join(','));
    assert.deepEqual(rows(both.stdout), rows(one.stdout));
  });

  it('JSON written from the packed scans the store keeps is the JSON one thread writes', async () => {
    const args = ['list', '--sort', 'src', '--json'];
    const one = await runCli(args, { netns: ns, env: { CTFLOW_WORKERS: '0' } });
    const both = await runCli(args, { netns: ns });
    assert.equal(both.code, 0);
    const records = (text: string): unknown[] => (JSON.parse(text) as Array<Record<string, unknown>>).map(({ timeout: _, ...rest }) => rest);
    const got = records(both.stdout);
    assert.equal(got.length, ENTRIES);
    assert.deepEqual(got, records(one.stdout));
  });
});
