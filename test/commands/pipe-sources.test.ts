// Every command that reads a table (or saved events) reads it from a pipe as from a regular file:
// a named FIFO (mkfifo), `--file /dev/stdin` fed by a shell pipe, a process substitution
// `--file <(cat T)`, and `--file /dev/stdin` when stdin is a socket (a program's stdio, as
// node's own spawn gives). None of them can be read at an offset or opened a second time for the
// same bytes: `stats --file <(cat T)` failed with "internal error: ESPIPE" (it read the first
// line at offset 0 to tell kernel counters from a table), and /dev/stdin on a socket with ENXIO.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, PINNED_ENV, ROOT, fixture, resultOf, runCli, type CliResult } from '../helpers/cli.js';

const TABLE = fixture('nat-router/proc_nf_conntrack.txt');
const EVENTS = fixture('nat-router/events_E_o_timestamp.txt');
const COUNTERS = fixture('nat-router/conntrack_S.txt');

const dir = mkdtempSync(join(tmpdir(), 'ctflow-pipes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fifos = 0;

function mkfifo(): string {
  const path = join(dir, `fifo-${fifos++}`);
  assert.equal(spawnSync('mkfifo', [path]).status, 0);
  return path;
}

/** `sh -c SCRIPT sh ARGS…` (or bash), its streams; `stdin` is written to it. */
function shell(shellName: 'sh' | 'bash', script: string, args: string[], logged: string[], stdin?: string): Promise<CliResult> {
  // (--norc: bash reads ~/.bashrc when its stdin is a socket, as node's stdio is)
  const flags = shellName === 'bash' ? ['--norc', '--noprofile', '-c'] : ['-c'];
  return resultOf(spawn(shellName, [...flags, script, shellName, ...args], { cwd: ROOT, env: PINNED_ENV, timeout: 60_000 }), logged, stdin);
}

/** A writer that copies `input` into the FIFO, then (with `holdSeconds`) keeps it open. */
function fifoWriter(input: string, fifo: string, holdSeconds = 0): ChildProcess {
  const script = holdSeconds === 0 ? 'exec cat -- "$1" > "$2"' : 'exec > "$2"; cat -- "$1"; exec sleep "$3"';
  return spawn('sh', ['-c', script, 'sh', input, fifo, String(holdSeconds)], { stdio: 'ignore' });
}

type Way = 'regular file' | 'FIFO' | '/dev/stdin from a pipe' | '<(cat FILE)' | '/dev/stdin on a socket';

async function run(way: Way, args: string[], input: string, stdin?: string): Promise<CliResult> {
  const node = [process.execPath, CLI];
  switch (way) {
    case 'regular file':
      return runCli([...args, '--file', input], { stdin });
    case 'FIFO': {
      const fifo = mkfifo();
      const writer = fifoWriter(input, fifo);
      try {
        return await runCli([...args, '--file', fifo], { stdin });
      } finally {
        writer.kill();
      }
    }
    case '/dev/stdin from a pipe':
      return shell('sh', 'f=$1; shift; cat -- "$f" | exec "$@"', [input, ...node, ...args, '--file', '/dev/stdin'], [...args, '--file', '/dev/stdin']);
    case '<(cat FILE)':
      return shell('bash', 'f=$1; shift; exec "$@" --file <(cat -- "$f")', [input, ...node, ...args], [...args, '--file'], stdin);
    case '/dev/stdin on a socket':
      return runCli([...args, '--file', '/dev/stdin'], { stdin: readFileSync(input) });
  }
}

const PIPES: Way[] = ['FIFO', '/dev/stdin from a pipe', '<(cat FILE)', '/dev/stdin on a socket'];

// [command line without its source, what it reads, its stdin]
const READERS: Array<[string[], string, string?]> = [
  [['flows', '-n', '--json', '--local', '10.1.0.1,10.2.0.1'], TABLE],
  [['list', '--ndjson'], TABLE],
  [['stats', '--json'], TABLE],
  [['stats', '--json', '--per-cpu'], COUNTERS],
  [['protocols', '--json'], TABLE],
  [['top', '--once', '--ndjson', '--local', '10.1.0.1'], TABLE],
  [['delete', '--dry-run', '--json', '-p', 'tcp'], TABLE],
  [['update', '--dry-run', '--json', '-p', 'icmp', '--set-mark', '1'], TABLE],
  [['flush', '--dry-run'], TABLE],
  [['watch', '--ndjson'], EVENTS],
  // stdin is the request: the table comes from a FIFO or <(…)
  [['api', 'read'], TABLE, '{"action":"conntrack"}'],
  [['api', 'read'], TABLE, '{"action":"conntrack","protocol":"udp","limit":3}'],
];

/** top stamps each frame with the time it was read */
const untimed = (r: CliResult): [number | null, string, string] => [r.code, r.stdout.replace(/"time":[\d.]+/g, '"time":T'), r.stderr];

test('each reading command gives from a FIFO, /dev/stdin (pipe or socket) and <(…) exactly what it gives from the file', async () => {
  for (const [args, input, stdin] of READERS) {
    const ways: Way[] = stdin === undefined ? PIPES : ['FIFO', '<(cat FILE)'];
    const [file, ...pipes] = await Promise.all((['regular file', ...ways] as Way[]).map((way) => run(way, args, input, stdin)));
    const name = `${args.join(' ')} ${stdin ?? ''}`;
    assert.equal(file!.code, 0, `${name}: ${file!.stderr}`);
    assert.ok(file!.stdout.length > 40, name);
    assert.deepStrictEqual(pipes.map((r, i) => [ways[i], ...untimed(r)]), ways.map((way) => [way, ...untimed(file!)]), name);
  }
});

test('stats --interval refuses a pipe it could read only once (a second sample found it empty)', async () => {
  const args = ['stats', '--json', '--interval', '0.1', '--count', '2'];
  const [piped, substituted] = await Promise.all([run('/dev/stdin from a pipe', args, TABLE), run('<(cat FILE)', args, TABLE)]);
  assert.deepStrictEqual([piped.code, piped.stdout, piped.stderr], [2, '', 'ctflow: --interval: needs a table it can read again, got /dev/stdin\n']);
  assert.deepStrictEqual([substituted.code, substituted.stdout], [2, '']);
  assert.match(substituted.stderr, /^ctflow: --interval: needs a table it can read again, got \/dev\/fd\/\d+\n$/);
});

test('top --iterations 2 on a pipe prints the one frame it can read, as for --stdin', async () => {
  const args = ['top', '--iterations', '2', '--interval', '0.1', '--ndjson', '--local', '10.1.0.1'];
  const [once, piped, substituted] = await Promise.all([
    run('regular file', ['top', '--once', '--ndjson', '--local', '10.1.0.1'], TABLE),
    run('/dev/stdin from a pipe', args, TABLE),
    run('<(cat FILE)', args, TABLE),
  ]);
  assert.ok(once.stdout.length > 100);
  assert.deepStrictEqual([untimed(piped), untimed(substituted)], [untimed(once), untimed(once)]);
});

test('watch --count 1 on a FIFO or <(…) whose writer stays open ends after the event, not when the writer ends', async () => {
  const fifo = mkfifo();
  const writer = fifoWriter(EVENTS, fifo, 120);
  try {
    const [fromFifo, substituted, file] = await Promise.all([
      runCli(['watch', '--count', '1', '--file', fifo], { timeoutMs: 60_000 }),
      // the substitution's writer holds its pipe open as long ($! is its pid: ended after)
      shell(
        'bash', 'f=$1; shift; "$@" --file <(cat -- "$f"; exec sleep 120 2>/dev/null); r=$?; kill $! 2>/dev/null; exit $r',
        [EVENTS, process.execPath, CLI, 'watch', '--count', '1'], ['watch', '--count', '1', '--file'],
      ),
      runCli(['watch', '--count', '1', '--file', EVENTS]),
    ]);
    assert.equal(file.code, 0);
    assert.deepStrictEqual([fromFifo, substituted].map((r) => [r.code, r.stdout, r.stderr]), [
      [file.code, file.stdout, file.stderr], [file.code, file.stdout, file.stderr],
    ]);
  } finally {
    writer.kill();
  }
});
