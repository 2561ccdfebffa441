// `ctflow top` in a real terminal (tmux: send-keys, capture-pane) and against live traffic in a
// private network namespace.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, fixture, runCli } from '../helpers/cli.js';
import { trackConnections, waitFor } from '../helpers/live.js';
import { createNetns, deleteNetns, netnsUnavailable } from '../helpers/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-toplive-'));
const PROC = fixture('nat-router/proc_nf_conntrack.txt');

/** A private tmux server (its own socket) so the user's sessions are never touched. */
class Tmux {
  readonly socket = `ctflow-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  run(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
  /** Runs `script` in an 100x30 terminal; after ctflow ends the shell prints its exit status and tty modes. */
  start(ctflowArgs: string[]): void {
    const script = join(dir, `${this.socket}.sh`);
    const quoted = ctflowArgs.map((a) => `'${a}'`).join(' ');
    writeFileSync(script, [
      'export NO_COLOR=1 TZ=UTC LC_ALL=C',
      `'${process.execPath}' '${CLI}' ${quoted}`,
      'echo "EXIT=$?"',
      // the modes a restored terminal has again: canonical input and echo
      'echo "MODES:$(stty -a | tr ";" "\\n" | tr " " "\\n" | grep -E -x -- "-?(icanon|echo)" | tr "\\n" " ")"',
      'sleep 60',
      '',
    ].join('\n'));
    this.run('new-session', '-d', '-s', 'top', '-x', '100', '-y', '30', `sh ${script}`);
  }
  screen(): string {
    return this.run('capture-pane', '-p', '-t', 'top');
  }
  keys(...keys: string[]): void {
    this.run('send-keys', '-t', 'top', ...keys);
  }
  async waitScreen(what: string, test: (s: string) => boolean): Promise<string> {
    return waitFor(what, () => {
      const s = this.screen();
      return test(s) ? s : undefined;
    });
  }
  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

const rowsOf = (screen: string) => {
  const lines = screen.split('\n');
  const head = lines.findIndex((l) => l.startsWith('PROTO'));
  return lines.slice(head + 1).filter((l) => /^(tcp|udp|icmp)/.test(l));
};

describe('ctflow top in a real terminal (tmux)', () => {
  const why = spawnSync('tmux', ['-V']).error ? 'needs tmux (apt-get install tmux)' : undefined;

  it('shows the header and sorted rows, re-sorts on s, reverses on r, filters on /, and quits cleanly on q', async (t) => {
    if (why) return t.skip(why);
    const tmux = new Tmux();
    try {
      tmux.start(['top', '--file', PROC, '--interval', '1', '--connections', '--sort', 'bytes']);
      let screen = await tmux.waitScreen('the first frame', (s) => s.includes('PROTO'));
      const lines = screen.split('\n');
      assert.match(lines[0]!, /^ctflow top {2}\d\d:\d\d:\d\d {2}every 1s {2}connections {2}sort bytes desc$/);
      assert.equal(lines[1], '34 connections');
      assert.match(rowsOf(screen)[0]!, /^tcp {4}10\.1\.0\.2:38658 -> 10\.2\.0\.2:80 TIME_WAIT +1 +(-|0 B\/s) +(-|0\.0) +65 KiB +22$/);
      assert.match(screen.split('\n').at(-2) ?? screen, /q quit {2}s sort {2}r reverse {2}f flows\/connections {2}p pause {2}\/ filter by address/);

      tmux.keys('s');
      screen = await tmux.waitScreen('sort packets', (s) => s.includes('sort packets desc'));
      assert.match(rowsOf(screen)[0]!, /^tcp {4}10\.1\.0\.2:37982 -> 10\.1\.0\.1:21 ESTABLISHED .* 31$/);

      tmux.keys('r');
      screen = await tmux.waitScreen('reversed', (s) => s.includes('sort packets asc'));
      assert.match(rowsOf(screen)[0]!, / 1$/);

      tmux.keys('f');
      screen = await tmux.waitScreen('flows', (s) => s.includes('  flows  '));
      assert.match(screen, /\n32 flows, 34 connections/);

      tmux.keys('/', '10.2.0.3', 'Enter');
      screen = await tmux.waitScreen('the address filter', (s) => s.includes('filter 10.2.0.3'));
      assert.match(screen, /\n2 flows, 2 connections/);

      tmux.keys('p');
      await tmux.waitScreen('paused', (s) => s.includes('PAUSED'));

      tmux.keys('q');
      screen = await tmux.waitScreen('the shell after ctflow', (s) => s.includes('MODES:'));
      assert.match(screen, /EXIT=0\nMODES:icanon echo\n/);
      assert.equal(screen.includes('ctflow top'), false, 'the alternate screen is gone');
    } finally {
      tmux.close();
    }
  });

  it('restores the terminal on Ctrl-C (exit 0) and on an error (exit 1, one sentence)', async (t) => {
    if (why) return t.skip(why);
    const tmux = new Tmux();
    try {
      tmux.start(['top', '--file', PROC, '--interval', '1']);
      await tmux.waitScreen('the first frame', (s) => s.includes('PROTO'));
      tmux.keys('C-c');
      const screen = await tmux.waitScreen('the shell after ctflow', (s) => s.includes('MODES:'));
      assert.match(screen, /EXIT=0\nMODES:icanon echo\n/);
    } finally {
      tmux.close();
    }
    const broken = new Tmux();
    const path = join(dir, 'vanishing.txt');
    copyFileSync(PROC, path);
    try {
      broken.start(['top', '--file', path, '--interval', '0.5']);
      await broken.waitScreen('the first frame', (s) => s.includes('PROTO'));
      rmSync(path);
      const screen = await broken.waitScreen('the shell after ctflow', (s) => s.includes('MODES:'));
      assert.match(screen, new RegExp(`ctflow: cannot read ${path}: no such file\\nEXIT=1\\nMODES:icanon echo\\n`));
    } finally {
      broken.close();
    }
  });
});

describe('ctflow top against live traffic in a private network namespace (root)', () => {
  const why = netnsUnavailable(false) ?? (spawnSync('nft', ['--version']).error ? 'needs nftables (apt-get install nftables) to turn conntrack on in a namespace' : undefined);

  it('reports the rate of a paced loopback sender within 50% (200 KiB/s)', async (t) => {
    if (why) return t.skip(why);
    const RATE = 200 * 1024; // bytes per second the sender writes
    const PORT = 5701;
    const ns = createNetns('rate');
    // a sink server and a sender writing RATE/10 bytes every 100 ms, for at most 20 s
    const script = `
      const net = require('net');
      const server = net.createServer((s) => s.on('data', () => {})).listen(${PORT}, '127.0.0.1', () => {
        const c = net.connect(${PORT}, '127.0.0.1', () => {
          const chunk = Buffer.alloc(${RATE / 10}, 120);
          const timer = setInterval(() => c.write(chunk), 100);
          setTimeout(() => { clearInterval(timer); c.destroy(); server.close(); }, 20000);
          process.stdout.write('sending\\n');
        });
      });`;
    let sender: ReturnType<typeof spawn> | undefined;
    try {
      trackConnections(ns);
      sender = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => sender!.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 500)); // let the pace settle
      const r = await runCli(['top', '--iterations', '2', '--interval', '2', '--ndjson', '--dport', String(PORT)], { netns: ns });
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
      const flow = rows.find((x) => x.frame === 2 && x.type === 'flow')!;
      assert.deepStrictEqual([flow.protocol, flow.src, flow.dst, flow.dport, flow.conns], ['tcp', '127.0.0.1', '127.0.0.1', PORT, 1]);
      const measured = flow.orig_bytes_per_sec as number;
      t.diagnostic(`sender ${RATE} B/s, top measured ${Math.round(measured)} B/s original, ${Math.round(flow.bytes_per_sec)} B/s both ways`);
      assert.ok(measured > RATE * 0.5 && measured < RATE * 1.5, `measured ${measured} B/s, sent ${RATE} B/s`);
      const total = rows.find((x) => x.frame === 2 && x.type === 'total')!;
      assert.equal(total.table_count >= 1, true);
      assert.equal(rows.find((x) => x.frame === 1 && x.type === 'flow')!.bytes_per_sec, null);
    } finally {
      sender?.kill('SIGKILL');
      deleteNetns(ns);
    }
  });
});
