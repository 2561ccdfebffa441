import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKernelCounters } from '../../src/kernel/kernel-counters.js';
import { fixture } from '../helpers/cli.js';

test('reads the per-CPU counters from a /proc/net/stat/nf_conntrack file', async () => {
  const c = await readKernelCounters(fixture('nat-router/proc_net_stat_nf_conntrack.txt'));
  assert.deepStrictEqual(c?.perCpu.map((r) => [r.cpu, r.counters.entries, r.counters.expect_create]), [[0, 34, 3], [1, 34, 0]]);
});

test('a missing file means no counters; a file of something else is refused', async () => {
  assert.equal(await readKernelCounters('/nonexistent/nf_conntrack'), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-kc-'));
  try {
    const bad = join(dir, 'stat');
    writeFileSync(bad, 'hello\nworld\n');
    await assert.rejects(readKernelCounters(bad), { message: `ctflow: ${bad}: must be a header line and one hex row per CPU, got "hello"` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reads this machine\'s own file when there is one (format check only)', async (t) => {
  const c = await readKernelCounters();
  if (c === undefined) {
    t.skip('no /proc/net/stat/nf_conntrack here (nf_conntrack not loaded)');
    return;
  }
  assert.equal(c.source, 'proc');
  assert.ok(c.names.includes('entries'));
  assert.ok(c.perCpu.length >= 1);
});
