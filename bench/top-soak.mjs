#!/usr/bin/env node
// `top` left running on a 200k-entry live table: is its memory flat? (issue 15: "≤ 150 MB, flat
// over 10 minutes"; bench/run.mjs times single frames only). As root: makes a private network
// namespace, fills it with one `conntrack -R` batch (entries as bench/run.mjs's live table, an
// hour's timeout), runs `ctflow top --ndjson --limit 20` there at its default interval, samples
// the process's VmRSS and VmHWM every 10 s, and deletes the namespace whatever happens.
//
//   node bench/top-soak.mjs [--minutes 10] [--cli dist/cli.js]

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveLines } from './live-table.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const value = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const MINUTES = Number(value('--minutes', '10'));
const CLI = resolve(value('--cli', join(ROOT, 'dist', 'cli.js')));
const ENTRIES = 200_000;

if (process.getuid?.() !== 0) {
  console.log('top-soak: skipped: needs root (a network namespace of its own)');
  process.exit(0);
}

const ns = `ctflow-soak-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'ctflow-soak-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let child;
try {
  writeFileSync(join(dir, 'batch.txt'), `${liveLines(ENTRIES).join('\n')}\n`);
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', '10.0.1.5/32', 'dev', 'lo']);
  spawnSync('ip', ['netns', 'exec', ns, 'conntrack', '-R', join(dir, 'batch.txt')], { stdio: 'ignore' });
  const have = execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'wc -l < /proc/net/nf_conntrack'], { encoding: 'utf8' }).trim();
  console.log(`top-soak: ${have} entries in ${ns}; ${MINUTES} minutes of ctflow top --ndjson --limit 20 (default interval)`);
  const frames = join(dir, 'frames.ndjson');
  // `ip netns exec` execs node in place: the child's pid is top's
  child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, 'top', '--ndjson', '--limit', '20'], { stdio: ['ignore', openSync(frames, 'w'), 'inherit'] });
  const samples = [];
  const t0 = Date.now();
  while (Date.now() - t0 < MINUTES * 60_000 && child.exitCode === null) {
    await sleep(10_000);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const mb = (key) => Math.round(Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1]) / 1024);
    const last = /"frame":(\d+)[^\n]*\n$/.exec(readFileSync(frames, 'utf8'));
    samples.push({ s: Math.round((Date.now() - t0) / 1000), rss: mb('VmRSS'), hwm: mb('VmHWM'), frames: Number(last?.[1] ?? 0) });
    const x = samples.at(-1);
    console.log(`  ${x.s} s: RSS ${x.rss} MB, peak ${x.hwm} MB, ${x.frames} frames`);
  }
  const first = samples.slice(0, 6);
  const lastMinute = samples.slice(-6);
  const avg = (xs) => xs.reduce((a, x) => a + x.rss, 0) / xs.length;
  const peak = Math.max(...samples.map((x) => x.hwm));
  const growth = avg(lastMinute) / avg(first);
  console.log(`top-soak: RSS ${avg(first).toFixed(0)} MB in the first minute, ${avg(lastMinute).toFixed(0)} MB in the last (${((growth - 1) * 100).toFixed(1)}%), peak ${peak} MB; ${samples.at(-1).frames} frames`);
  console.log(`top-soak: ≤ 150 MB and flat (last minute within 10% of the first): ${peak <= 150 && growth <= 1.1 ? 'met' : 'NOT MET'}`);
} finally {
  child?.kill('SIGINT');
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
