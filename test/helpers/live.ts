// For commands that run until told to stop (watch, top): start the real CLI in the background
// (optionally inside a namespace), see its output so far, find its child processes, wait for a
// condition by polling (no timed assertions: only an upper bound that fails the test).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CLI, PINNED_ENV, ROOT } from './cli.js';
import { logRun } from './flag-log.js';

export interface Running {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], opts: { netns?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  // `ip netns exec` execs the program in place, so the pid we get is node's own
  const [cmd, argv] = opts.netns
    ? ['ip', ['netns', 'exec', opts.netns, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const child = spawn(cmd as string, argv as string[], { cwd: ROOT, env: { ...PINNED_ENV, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      logRun(args, code);
      resolve({ code, signal });
    }),
  );
  return { child, pid: child.pid!, stdout: () => out, stderr: () => err, exited };
}

/** Processes whose parent is `pid`, with their command names (from /proc/N/stat). */
export function childProcesses(pid: number): Array<{ pid: number; comm: string }> {
  const found: Array<{ pid: number; comm: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === pid) found.push({ pid: Number(name), comm });
  }
  return found;
}

/** Is the process still there (and not a zombie)? */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` returns a value other than undefined; fails after `limitMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined, limitMs = 15_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP exchange over the namespace's loopback: server on `port`, one client that sends and closes. */
export function tcpExchange(ns: string, port: number, bytes = 5): void {
  const script = `
    const net = require('net');
    const server = net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('end', () => s.end()); });
    server.listen(${port}, '127.0.0.1', () => {
      const c = net.connect(${port}, '127.0.0.1', () => { c.write(Buffer.alloc(${bytes}, 97)); c.end(); });
      c.on('data', () => {});
      c.on('close', () => server.close());
    });`;
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`tcp exchange failed: ${r.stderr}`);
}

/**
 * Turn conntrack on in a namespace: the kernel registers its hooks only once a rule uses them.
 * (One nft statement per line: nft 1.0.6 rejects two chains on one line.)
 */
export function trackConnections(ns: string, { acct = true } = {}): void {
  const rules = [
    'table inet ctflowtest {',
    '  chain out { type filter hook output priority 0; ct state new accept; }',
    '  chain in { type filter hook input priority 0; ct state new accept; }',
    '}',
    '',
  ].join('\n');
  const nft = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  if (nft.status !== 0) throw new Error(`nft failed: ${nft.stderr}`);
  spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.netfilter.nf_conntrack_acct=${acct ? 1 : 0}`]);
}

/** Has the process opened a socket yet (conntrack -E: its netlink subscription)? */
export function hasSocket(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
