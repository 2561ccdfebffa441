import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CtflowError } from '../../src/errors.js';
import { countPrintedEntries, parseAffectedCount, runChange, runFlush, type ChangeRun } from '../../src/kernel/run-conntrack.js';
import type { Invocation } from '../../src/kernel/conntrack-invocation.js';

/** runChange's count when conntrack finished; throws otherwise. */
async function runCounted(inv: Invocation, verb: 'deleted' | 'updated'): Promise<number> {
  const run = await runChange(inv, verb);
  if (!run.finished) throw run.error;
  return run.count;
}

const dir = mkdtempSync(join(tmpdir(), 'ctflow-fake-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fake conntrack: prints the given stdout/stderr and exits with the code; logs its argv and -R file. */
function fake(name: string, stdout: string, stderr: string, code: number): string {
  const path = join(dir, name);
  writeFileSync(`${path}.out`, stdout);
  writeFileSync(`${path}.err`, stderr);
  writeFileSync(path, `#!/bin/sh
printf '%s\\n' "$@" > "${path}.argv"
if [ "$1" = "-R" ]; then cat "$2" > "${path}.batch"; fi
cat "${path}.out"
cat "${path}.err" >&2
exit ${code}
`);
  chmodSync(path, 0o755);
  return path;
}

async function error(p: Promise<unknown>): Promise<[string, number]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CtflowError);
    return [e.message, e.exitCode];
  }
  return ['no error', 0];
}

test('parses the counts conntrack prints (real fixtures)', () => {
  assert.deepStrictEqual(
    [
      parseAffectedCount('conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n', 'deleted'),
      parseAffectedCount('conntrack v1.4.7 (conntrack-tools): 1 flow entries have been updated.\n', 'updated'),
      parseAffectedCount('conntrack v1.4.7 (conntrack-tools): 1 flow entries have been updated.\n', 'deleted'),
      countPrintedEntries('tcp 6 ...\nudp 17 ...\n\n'),
    ],
    [2, 1, undefined, 2],
  );
});

test('returns the deleted count, and 0 (not a failure) when conntrack matched nothing', async () => {
  const two = fake('two', 'tcp ...\n', 'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n', 0);
  assert.equal(await runCounted({ command: two, args: ['-D', '-p', 'tcp'] }, 'deleted'), 2);
  const none = fake('none', '', 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n', 1);
  assert.equal(await runCounted({ command: none, args: ['-D'] }, 'deleted'), 0);
});

test('feeds a batch through a file and counts the entries printed', async () => {
  const batch = fake('batch', 'tcp 6 ...\nudp 17 ...\n', '', 0);
  assert.equal(await runCounted({ command: batch, args: ['-R', '-'], batch: ['-D -p tcp -s 1.1.1.1', '-D -p udp -s 2.2.2.2'] }, 'deleted'), 2);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(`${batch}.batch`, 'utf8'), '-D -p tcp -s 1.1.1.1\n-D -p udp -s 2.2.2.2\n');
});

test('says root is needed on EPERM, quotes conntrack on real failures, names a missing binary', async () => {
  const eperm = fake('eperm', '', 'conntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this\n', 1);
  const broken = fake('broken', '', "conntrack v1.4.7 (conntrack-tools): unknown option `--bogus'\nTry `conntrack -h' or 'conntrack --help' for more information.\n", 2);
  const flushEperm = fake('flush-eperm', '', 'conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\nconntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this\n', 1);
  assert.deepStrictEqual(await Promise.all([
    error(runCounted({ command: eperm, args: ['-D'] }, 'deleted')),
    error(runCounted({ command: broken, args: ['-D', '--bogus'] }, 'deleted')),
    error(runCounted({ command: 'conntrack-not-here-ctflow', args: ['-D'] }, 'deleted')),
    error(runFlush({ command: flushEperm, args: ['-F'] })),
  ]), [
    [`changing the conntrack table needs root (CAP_NET_ADMIN): ${eperm} said "conntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this"; run ctflow with sudo`, 1],
    [`${broken} -D --bogus failed (exit 2): conntrack v1.4.7 (conntrack-tools): unknown option \`--bogus'`, 1],
    ['ctflow: cannot run conntrack-not-here-ctflow: not found; install conntrack-tools (apt-get install conntrack), or name the binary with --conntrack-bin', 1],
    [`changing the conntrack table needs root (CAP_NET_ADMIN): ${flushEperm} said "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied. / conntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this"; run ctflow with sudo`, 1],
  ]);
  const flushed = fake('flushed', '', 'conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n', 0);
  assert.equal(await runFlush({ command: flushed, args: ['-F'] }), undefined);
});

const TRAILER = 'conntrack v1.4.7 (conntrack-tools):';

/** What a run came to, with the error as its sentence. */
function outcome(run: ChangeRun): unknown {
  return run.finished ? run : { ...run, error: run.error.message };
}

test('a run conntrack stopped part-way comes back unfinished, saying whether a second run gets past it', async () => {
  // exactly what conntrack v1.4.7 printed in a namespace: -U after its 256th change, a -R batch of -U lines
  const enobufs = fake('enobufs', 'udp      17 3597 src=10.0.5.195 dst=10.200.0.1 sport=2499 dport=53 [UNREPLIED] src=10.200.0.1 dst=10.0.5.195 sport=53 dport=2499 mark=6 use=1\n', `${TRAILER} Operation failed: No buffer space available\n`, 1);
  const protocol = fake('protocol', '', `Operation failed: Protocol error\n${TRAILER} Operation failed: Protocol error\n`, 1);
  const unsupported = fake('unsupported', '', `Operation failed: Operation not supported\n${TRAILER} Operation failed: Operation not supported\n`, 1);
  const runs = await Promise.all([
    runChange({ command: enobufs, args: ['-U', '-f', 'ipv4', '-p', 'udp', '-m', '6'] }, 'updated'),
    runChange({ command: protocol, args: ['-R', '-'], batch: ['-U -p udp -s 10.0.0.1 -d 10.0.0.2 --sport 1 --dport 2 -m 5'] }, 'updated'),
    runChange({ command: unsupported, args: ['-U', '-p', 'udp', '-m', '5'] }, 'updated'),
  ]);
  assert.deepStrictEqual(runs.map(outcome), [
    {
      finished: false, said: `${TRAILER} Operation failed: No buffer space available`, repeatable: true, printed: 1,
      error: `${enobufs} -U -f ipv4 -p udp -m 6 failed (exit 1): ${TRAILER} Operation failed: No buffer space available`,
    },
    {
      finished: false, said: `${TRAILER} Operation failed: Protocol error`, repeatable: true, printed: 0,
      error: `${protocol} -R - <<EOF failed (exit 1): Operation failed: Protocol error / ${TRAILER} Operation failed: Protocol error`,
    },
    {
      finished: false, said: `${TRAILER} Operation failed: Operation not supported`, repeatable: false, printed: 0,
      error: `${unsupported} -U -p udp -m 5 failed (exit 1): Operation failed: Operation not supported / ${TRAILER} Operation failed: Operation not supported`,
    },
  ]);
});
