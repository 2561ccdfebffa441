// `ctflow top` in a real terminal (tmux: send-keys, capture-pane) and against live traffic in a
// private network namespace.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';
import { trackConnections } from '../helpers/live.js';
import { createNetns, deleteNetns, netnsUnavailable } from '../helpers/netns.js';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-toplive-'));
const PROC = fixture('nat-router/proc_nf_conntrack.txt');
/** the router's addresses, from the rtr block of nat-router/topology.txt */
const ROUTER_LOCAL = '127.0.0.1,::1,10.1.0.1,fd00:a1::1,fe80::58f5:8bff:fe2b:9f3b,10.2.0.1,fd00:a2::1,fe80::60eb:a4ff:feea:9986';

const rowsOf = (screen: string) => {
  const lines = screen.split('\n');
  const head = lines.findIndex((l) => l.startsWith('Proto'));
  return lines.slice(head + 1).filter((l) => /^(tcp|udp|icmp)/.test(l));
};

describe('ctflow top in a real terminal (tmux)', () => {
  const why = tmuxMissing();

  it('shows the header and sorted rows, re-sorts on s, reverses on r, filters on /, and quits cleanly on q', async (t) => {
    if (why) return t.skip(why);
    const tmux = new Tmux(dir);
    try {
      tmux.start(['top', '--file', PROC, '--local', ROUTER_LOCAL, '--interval', '1', '--connections', '--sort', 'bytes'], { ttyModes: true });
      // the whole frame: a screen caught while it is being drawn has no footer yet
      let screen = await tmux.waitScreen('the first frame', (s) => s.includes('Proto') && s.includes('q quit'));
      const lines = screen.split('\n');
      assert.match(lines[0]!, /^ctflow top {2}\d\d:\d\d:\d\d {2}every 1s {2}connections {2}sort bytes desc$/);
      assert.equal(lines[1], '34 connections');
      assert.match(rowsOf(screen)[0]!, /^tcp {6}10\.1\.0\.2:38658 -> 10\.2\.0\.2:80 TIME_WAIT +1 +(-|0 B\/s) +(-|0\.0) +65 KiB +22$/);
      assert.match(screen.split('\n').at(-2) ?? screen, /q quit {2}s sort {2}r reverse {2}f flows\/connections {2}p pause {2}\/ filter by address/);

      tmux.keys('s');
      screen = await tmux.waitScreen('sort packets', (s) => s.includes('sort packets desc') && s.includes('q quit'));
      assert.match(rowsOf(screen)[0]!, /^tcp {6}10\.1\.0\.2:37982 -> 10\.1\.0\.1:21 ESTABLISHED .* 31$/);

      tmux.keys('r');
      screen = await tmux.waitScreen('reversed', (s) => s.includes('sort packets asc') && s.includes('q quit'));
      assert.match(rowsOf(screen)[0]!, / 1$/);

      tmux.keys('f');
      screen = await tmux.waitScreen('flows', (s) => s.includes('  flows  ') && s.includes('q quit'));
      assert.match(screen, /\n32 flows, 34 connections/);

      tmux.keys('/', '10.2.0.3', 'Enter');
      screen = await tmux.waitScreen('the address filter', (s) => s.includes('filter 10.2.0.3') && s.includes('q quit'));
      assert.match(screen, /\n2 flows, 2 connections/);
      // host flows with their arrows, packets ascending: the syslog datagram (1), then the ping (2)
      assert.deepStrictEqual(rowsOf(screen).map((l) => l.split(/ {2,}/).slice(0, 2).join(' ')), [
        'udp 10.1.0.2:many ==> 10.2.0.3:514',
        'icmp 10.1.0.2:many ==> 10.2.0.3:echo-request',
      ]);

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
    const tmux = new Tmux(dir);
    try {
      tmux.start(['top', '--file', PROC, '--interval', '1'], { ttyModes: true });
      await tmux.waitScreen('the first frame', (s) => s.includes('Proto'));
      tmux.keys('C-c');
      const screen = await tmux.waitScreen('the shell after ctflow', (s) => s.includes('MODES:'));
      assert.match(screen, /EXIT=0\nMODES:icanon echo\n/);
    } finally {
      tmux.close();
    }
    const broken = new Tmux(dir);
    const path = join(dir, 'vanishing.txt');
    copyFileSync(PROC, path);
    try {
      broken.start(['top', '--file', path, '--interval', '0.5'], { ttyModes: true });
      await broken.waitScreen('the first frame', (s) => s.includes('Proto'));
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
      // both ends are the namespace's loopback: a local flow, server side first, as `ctflow flows` shows it
      assert.deepStrictEqual([flow.direction, flow.protocol, flow.local, flow.peer, flow.conns], [
        'local', 'tcp', { addr: '127.0.0.1', port: PORT }, { addr: '127.0.0.1', port: 'many' }, 1,
      ]);
      const measured = flow.orig_bytes_per_sec as number;
      // the client's bytes arrive at the server: inbound for a local flow
      assert.equal(flow.in_bytes_per_sec, measured);
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
