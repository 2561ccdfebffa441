// Runs one conntrack invocation (argv array, never a shell) and turns what conntrack says into a
// count, a run that stopped part-way, or one CtflowError sentence.
//
// conntrack exits 1 both when it failed and when nothing matched ("0 flow entries have been
// deleted."); the trailer on stderr tells them apart. A `-R` batch prints no trailer at all: the
// entries it deleted are printed on stdout, one line each, so a batch delete counts those lines.
//
// The batch goes through a private temporary file that becomes conntrack's stdin: conntrack reads
// `-R -` by opening /dev/stdin, and node's stdio pipes are socketpairs, which cannot be opened
// that way (measured: "Failed to open file /dev/stdin for reading"); a regular file can. So the
// command that runs is exactly the `conntrack -R - <<EOF` that --dry-run shows.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtflowError } from '../errors.js';
import { formatInvocation, type Invocation } from './conntrack-invocation.js';
import { conntrackMissing } from '../conntrack-missing.js';

export interface RunOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type Verb = 'deleted' | 'updated';

/**
 * Fails with the missing-conntrack sentence unless `bin` (a path, or a name looked up on PATH) is an
 * executable file: checked before a change is planned, so a missing conntrack is exit 1 even when
 * nothing would match.
 */
export function requireConntrack(bin: string): void {
  const dirs = bin.includes('/') ? [''] : (process.env.PATH ?? '').split(':').filter((d) => d !== '');
  for (const dir of dirs) {
    try {
      accessSync(dir === '' ? bin : join(dir, bin), constants.X_OK);
      return;
    } catch {
      // not here
    }
  }
  throw conntrackMissing(bin);
}

/** Told the number of lines conntrack has printed on stdout so far (each an entry it changed). */
export type OnPrinted = (lines: number) => void;

/** Spawn the invocation (its batch from a 0600 temp file), collect everything. Only spawn failures throw. */
export async function runInvocation(inv: Invocation, onPrinted?: OnPrinted): Promise<RunOutput> {
  if (inv.batch === undefined) return spawnCollect(inv.command, inv.args, inv, 'ignore', onPrinted);
  const dir = await mkdtemp(join(tmpdir(), 'ctflow-batch-'));
  try {
    const file = join(dir, 'batch');
    await writeFile(file, inv.batch.length > 0 ? `${inv.batch.join('\n')}\n` : '', { mode: 0o600 });
    const input = await open(file, 'r');
    try {
      return await spawnCollect(inv.command, inv.args, inv, input.fd, onPrinted);
    } finally {
      await input.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function spawnCollect(command: string, args: string[], inv: Invocation, stdin: number | 'ignore', onPrinted?: OnPrinted): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [stdin, 'pipe', 'pipe'], shell: false }) as ChildProcessWithoutNullStreams;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let lines = 0;
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (onPrinted === undefined) return;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
      onPrinted(lines);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(conntrackMissing(inv.command));
      } else if (e.code === 'EACCES') {
        reject(new CtflowError(`cannot run ${inv.command}: permission denied`, { code: 'EACCES' }));
      } else {
        reject(new CtflowError(`cannot run ${inv.command}: ${e.message}`, { code: e.code ?? 'ESPAWN' }));
      }
    });
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** "N flow entries have been deleted." → N; undefined when conntrack printed no such trailer. */
export function parseAffectedCount(stderr: string, verb: Verb): number | undefined {
  const re = new RegExp(`(\\d+) flow entries have been ${verb}\\.`, 'g');
  let total: number | undefined;
  for (const m of stderr.matchAll(re)) total = (total ?? 0) + Number(m[1]);
  return total;
}

/** Lines of conntrack entries on stdout (what a -R batch deleted or updated). */
export function countPrintedEntries(stdout: string): number {
  let n = 0;
  for (const line of stdout.split('\n')) if (line.trim() !== '') n++;
  return n;
}

/** The stderr lines worth quoting: without conntrack's usage hint. */
function messageLines(stderr: string): string[] {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Try `conntrack -h'));
}

function quote(stderr: string): string {
  return messageLines(stderr).join(' / ') || '(no message)';
}

function isPermissionProblem(stderr: string): boolean {
  return /must be root|CAP_NET_ADMIN|Operation not permitted|Permission denied/i.test(stderr);
}

/** Throw the one sentence for a failed run. */
function failure(inv: Invocation, out: RunOutput): CtflowError {
  if (isPermissionProblem(out.stderr)) {
    return new CtflowError(
      `changing the conntrack table needs root (CAP_NET_ADMIN): ${inv.command} said "${quote(out.stderr)}"; run ctflow with sudo`,
      { code: 'EPERM' },
    );
  }
  return new CtflowError(
    `${formatInvocation(inv)[0]} failed (exit ${out.exitCode}): ${quote(out.stderr)}`,
    { code: 'ECONNTRACK' },
  );
}

/** A delete/update run that conntrack stopped part-way. */
export interface StoppedRun {
  finished: false;
  /** what conntrack said last (its closing "conntrack v1.4.7 (conntrack-tools): Operation failed: …") */
  said: string;
  /** the failure as one sentence, for when nothing at all was changed */
  error: CtflowError;
  /** the kernel cut the run short: running it again goes on where it stopped */
  repeatable: boolean;
  /** entries printed on stdout before it stopped: every one a delete removed, only some of an update's */
  printed: number;
}

/** One delete/update run: conntrack finished (with its own count), or stopped part-way. */
export type ChangeRun = { finished: true; count: number } | StoppedRun;

/**
 * Failures that cut a conntrack -D/-U table walk short, after whatever came before was changed:
 * "No buffer space available" (-U stops after 256 changes), "Protocol error" (a stale reply read
 * after the clock ticked), an interrupted or busy dump. A second run skips what the first did
 * (deleted entries are gone; updated ones already carry the new mark).
 */
const CUT_SHORT = /No buffer space available|Protocol error|Interrupted system call|Device or resource busy/;

/**
 * Run a delete/update invocation once. conntrack stops with "Operation failed: …" (exit 1) from
 * inside its walk, having changed the entries before that point and with no count (-D prints each
 * entry it deleted; -U only some of those it changed), so such a run is returned as not finished
 * for the caller to check against the table. Failures before anything could change (not root,
 * bad usage, missing binary) throw.
 */
export async function runChange(inv: Invocation, verb: Verb, onPrinted?: OnPrinted): Promise<ChangeRun> {
  const out = await runInvocation(inv, onPrinted);
  if (isPermissionProblem(out.stderr)) throw failure(inv, out);
  if (inv.batch !== undefined) {
    // -R prints no trailer; it exits 0 even when a line matched nothing. Errors print on stderr.
    if (out.exitCode === 0 && !/Operation failed|Failed to open/.test(out.stderr)) return { finished: true, count: countPrintedEntries(out.stdout) };
  } else {
    const n = parseAffectedCount(out.stderr, verb);
    if (out.exitCode === 0 && n !== undefined) return { finished: true, count: n };
    // exit 1 with "0 flow entries have been deleted." and nothing else: nothing matched, not a failure
    if (out.exitCode === 1 && n === 0 && !/Operation failed/.test(out.stderr)) return { finished: true, count: 0 };
  }
  if (out.exitCode === 1 && /Operation failed/.test(out.stderr)) {
    return {
      finished: false, said: messageLines(out.stderr).at(-1) ?? '(no message)', error: failure(inv, out),
      repeatable: CUT_SHORT.test(out.stderr), printed: countPrintedEntries(out.stdout),
    };
  }
  throw failure(inv, out);
}

/** Run `conntrack -F` (or a family-limited `-D -f`); returns the count when conntrack gives one. */
export async function runFlush(inv: Invocation): Promise<number | undefined> {
  const out = await runInvocation(inv);
  const n = parseAffectedCount(out.stderr, 'deleted');
  // -F prints "table has been emptied." even when it then fails; only the exit code is trusted
  if (out.exitCode === 0) return n;
  if (out.exitCode === 1 && n === 0 && !/Operation failed/.test(out.stderr)) return 0;
  throw failure(inv, out);
}
