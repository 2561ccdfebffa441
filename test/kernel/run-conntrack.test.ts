import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CtflowError } from '../../src/errors.js';
import { countPrintedEntries, parseAffectedCount, runCounted, runCountedWithRetry, runFlush } from '../../src/kernel/run-conntrack.js';

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

/** A fake conntrack that fails with "Protocol error" the first `failures` times, then succeeds. */
function flaky(name: string, failures: number, failedStdout: string, finalStderr: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh
n=$(cat "${path}.runs" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${path}.runs"
if [ $n -le ${failures} ]; then printf '%s' '${failedStdout}'; echo 'conntrack v1.4.7 (conntrack-tools): Operation failed: Protocol error' >&2; exit 1; fi
echo '${finalStderr}' >&2
exit 0
`);
  chmodSync(path, 0o755);
  return path;
}

test('runs a dump-interrupted delete or update again and says it did', async () => {
  const del = flaky('conntrack-flaky-delete', 1, '', 'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.');
  assert.deepEqual(await runCountedWithRetry({ command: del, args: ['-D', '-p', 'tcp'] }, 'deleted'), { count: 3, retried: true });
  const upd = flaky('conntrack-flaky-update', 2, '', 'conntrack v1.4.7 (conntrack-tools): 4 flow entries have been updated.');
  assert.deepEqual(await runCountedWithRetry({ command: upd, args: ['-U', '-p', 'tcp', '-m', '5'] }, 'updated'), { count: 4, retried: true });
  const calm = flaky('conntrack-calm', 0, '', 'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been updated.');
  assert.deepEqual(await runCountedWithRetry({ command: calm, args: ['-U', '-p', 'tcp', '-m', '5'] }, 'updated'), { count: 2, retried: false });
});

test('gives up after three interrupted runs and quotes conntrack', async () => {
  const bin = flaky('conntrack-flaky-always', 9, '', 'never');
  const [message, code] = await error(runCounted({ command: bin, args: ['-U', '-p', 'tcp', '-m', '5'] }, 'updated'));
  assert.equal(code, 1);
  assert.match(message, /Operation failed: Protocol error/);
});
