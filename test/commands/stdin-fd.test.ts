// `cat T | ctflow … --stdin` reads fd 0 with blocking reads into one buffer (source/open-source.ts).
// Touching the process.stdin getter first turns the pipe non-blocking, and the read then falls
// back to the slow stream path (~0.4 s more on 1M lines, and more memory) without any visible
// difference in the output. `import process from 'node:process'` (chalk does it) touches it, so
// the build maps that import to the global: this test catches anything that touches it again.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, PINNED_ENV, fixture, runCli } from '../helpers/cli.js';
import { logRun } from '../helpers/flag-log.js';

const TABLE = fixture('nat-router/proc_nf_conntrack.txt');

/** A preload that says on stderr when (and from where) process.stdin is read. */
const TRAP = `
const d = Object.getOwnPropertyDescriptor(process, 'stdin');
Object.defineProperty(process, 'stdin', {
  configurable: true, enumerable: d.enumerable,
  get() { process.stderr.write('process.stdin was read\\n'); return d.get.call(process); },
});
`;

/** `cat TABLE | ctflow ARGS --stdin`: a real pipe on fd 0 (runCli's stdin is a socket pair) */
function piped(args: string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', 'f=$1; shift; cat "$f" | "$@"', 'sh', TABLE, process.execPath, CLI, ...args, '--stdin'], {
    env: { ...PINNED_ENV, ...env }, encoding: 'utf8',
  });
  logRun([...args, '--stdin'], r.status);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('reading a table from a pipe never touches process.stdin (fd 0 stays blocking)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-stdin-trap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const trap = join(dir, 'trap.cjs');
  writeFileSync(trap, TRAP);
  const env = { NODE_OPTIONS: `--require ${trap}` };
  for (const args of [
    ['flows', '-n', '--json', '--local', '10.1.0.1'],
    ['list', '--ndjson'],
    ['stats', '--json'],
  ]) {
    const got = piped(args, env);
    const fromFile = await runCli([...args, '--file', TABLE]);
    assert.deepStrictEqual([got.code, got.stderr], [0, ''], args.join(' '));
    assert.equal(got.stdout, fromFile.stdout, args.join(' '));
    assert.ok(got.stdout.length > 1000, args.join(' '));
  }
  // the trap itself works: a command that does read process.stdin is caught
  const api = await runCli(['api', 'read'], { stdin: '{"action":"protocols"}', env });
  assert.match(api.stderr, /process\.stdin was read/);
});
