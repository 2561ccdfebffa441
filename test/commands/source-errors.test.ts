// Sources that cannot be read as asked: one sentence, the conntrack(8) exit code, nothing read.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, PINNED_ENV, fixture, runCli } from '../helpers/cli.js';

const TABLE = fixture('nat-router/proc_nf_conntrack.txt');

test('two sources at once are refused (exit 2) instead of one silently winning', async () => {
  const got = await Promise.all([
    runCli(['list', '--file', TABLE, '--exec']),
    runCli(['list', '--file', TABLE, '--stdin'], { stdin: '' }),
    runCli(['flows', '--stdin', '--exec'], { stdin: '' }),
    runCli(['stats', '--file', TABLE, '--stdin', '--exec'], { stdin: '' }),
  ]);
  assert.deepStrictEqual(got.map((r) => [r.code, r.stdout, r.stderr]), [
    [2, '', 'ctflow: choose one source: --file, --stdin or --exec, got --file and --exec\n'],
    [2, '', 'ctflow: choose one source: --file, --stdin or --exec, got --file and --stdin\n'],
    [2, '', 'ctflow: choose one source: --file, --stdin or --exec, got --stdin and --exec\n'],
    [2, '', 'ctflow: choose one source: --file, --stdin or --exec, got --file and --stdin and --exec\n'],
  ]);
});

test('a directory on stdin is one sentence and exit 1, not an empty table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-stdin-dir-'));
  const fd = openSync(dir, 'r');
  try {
    const r = spawnSync(process.execPath, [CLI, 'list', '--stdin', '--json'], { stdio: [fd, 'pipe', 'pipe'], env: { ...PINNED_ENV }, encoding: 'utf8' });
    assert.deepStrictEqual([r.status, r.stdout, r.stderr], [1, '', 'ctflow: cannot read stdin: it is a directory, not a conntrack table\n']);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--dns-timeout past ten minutes is bad usage (exit 2), not an internal error', async () => {
  const r = await runCli(['flows', '--dns-timeout', '99999999999', '--file', TABLE]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', 'ctflow: --dns-timeout: expected a whole number from 1 to 600000, got "99999999999"\n']);
});
