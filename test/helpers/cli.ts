// Spawning the real CLI (dist/cli.js) with a pinned environment, and paths to the fixtures.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logRun } from './flag-log.js';

/** The repository root, whether tests run from build/test or elsewhere. */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

export const CLI = join(ROOT, 'dist', 'cli.js');

export function fixture(rel: string): string {
  return resolve(ROOT, 'fixtures', 'kernel', rel);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdin?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** run through `ip netns exec NS` */
  netns?: string;
  timeoutMs?: number;
}

export const PINNED_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  NO_COLOR: '1',
  TZ: 'UTC',
  LC_ALL: 'C',
};

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const [cmd, argv] = opts.netns
    ? ['ip', ['netns', 'exec', opts.netns, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const child = spawn(cmd as string, argv as string[], {
    cwd: opts.cwd ?? ROOT,
    env: { ...PINNED_ENV, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 60_000,
  });
  return resultOf(child, args, opts.stdin);
}

/** A spawned process's exit code and streams once it closes; `stdin` is written to it, `logged` goes to the option check. */
export function resultOf(child: ChildProcessWithoutNullStreams, logged: string[], stdin?: string | Buffer): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      logRun(logged, code);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}
