#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --runs N] [-- --only NAME]`: the scenarios of issue 8, each run
// several times on tables from gen-conntrack-table.mjs, next to `wc -l` and an awk one-liner on
// the same file. Prints median wall time, MB/s and peak RSS (from /usr/bin/time -v when present,
// else process.resourceUsage() reported by a hook inside the measured node process).
// A benchmark, not a test: npm test never runs it and nothing depends on its timings.
//
// Tables are cached in $CTFLOW_BENCH_DIR (default: <tmpdir>/ctflow-bench), so a second run does
// not spend its time generating. The live-table row needs root, conntrack and iproute2: it makes
// its own network namespace, fills it with a `conntrack -R` batch and deletes it afterwards.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI = join(ROOT, 'dist', 'cli.js');
const GEN = join(ROOT, 'bench', 'gen-conntrack-table.mjs');
const HOOK = join(ROOT, 'bench', 'rss-hook.mjs');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const argValue = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(argValue('--runs') ?? (quick ? 3 : 5));
const only = argValue('--only');
const N = quick ? 100_000 : 1_000_000;
const LIVE_N = quick ? 20_000 : 200_000;
const dir = process.env.CTFLOW_BENCH_DIR ?? join(tmpdir(), 'ctflow-bench');
mkdirSync(dir, { recursive: true });

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

if (!existsSync(CLI)) {
  console.error('bench: dist/cli.js is missing; run npm run build first');
  process.exit(1);
}

function sh(cmd, argv) {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** `path`, made once (the stdout of `cmd argv`, written under a temporary name) and kept. */
function cached(path, cmd, argv) {
  if (!existsSync(path)) {
    process.stderr.write(`bench: writing ${path} …\n`);
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    const r = spawnSync(cmd, argv, { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`${cmd} failed to write ${path}`);
    renameSync(tmp, path);
  }
  return path;
}

/** A generated table, made once and cached under its parameters. */
function table(lines, format) {
  return cached(join(dir, `ct-${format}-${lines}.txt`), process.execPath, [GEN, '--lines', String(lines), '--format', format]);
}

/**
 * The table at `path` four times over: four times the lines with exactly the same flows, which
 * tells memory that grows with the table (it must not) from memory that grows with the flows
 * (the generator's 4M table has 156k flows where its 1M table has 87k).
 */
function repeated(path) {
  return cached(path.replace(/\.txt$/, 'x4.txt'), 'cat', [path, path, path, path]);
}

/**
 * One timed run of a shell-free argv (or a `sh -c` pipeline when `shell` is set); stdout goes to
 * /dev/null. Returns wall seconds and the measured process's peak RSS in MB.
 */
function measure({ argv, shell, stdinFile }) {
  const devnull = openSync('/dev/null', 'w');
  const input = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  let cmd;
  let cmdArgs;
  if (shell) {
    cmd = '/bin/sh';
    cmdArgs = ['-c', shell];
  } else if (TIME) {
    cmd = TIME;
    cmdArgs = ['-v', ...argv];
  } else {
    [cmd, ...cmdArgs] = argv[0] === process.execPath ? [argv[0], '--import', HOOK, ...argv.slice(1)] : argv;
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, cmdArgs, { stdio: [input, devnull, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(devnull);
  if (typeof input === 'number') closeSync(input);
  if (r.status !== 0) throw new Error(`${shell ?? argv.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? /CTFLOW_BENCH_MAXRSS=(\d+)/.exec(r.stderr)?.[1];
  return { wall, rssMB: kb === undefined ? undefined : Number(kb) / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
function scenario(name, spec, { bytes, target: target0, targetRss: targetRss0, note } = {}) {
  let target = target0;
  let targetRss = targetRss0;
  if (only && !name.includes(only)) return undefined;
  const walls = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const m = measure(spec);
    walls.push(m.wall);
    if (m.rssMB !== undefined) rss.push(m.rssMB);
  }
  // the targets are for the 1M-line tables; a quick run only shows that everything works
  if (quick) {
    target = undefined;
    targetRss = undefined;
  }
  const row = {
    name,
    wall: median(walls),
    min: Math.min(...walls),
    mbs: bytes ? bytes / 1e6 / median(walls) : undefined,
    rss: rss.length ? Math.max(...rss) : undefined,
    target,
    targetRss,
    note,
  };
  rows.push(row);
  print(row);
  return row;
}

const fmt = (v, d = 2) => (v === undefined ? '-' : v.toFixed(d));
function print(r) {
  const verdict = [];
  if (r.target !== undefined) verdict.push(r.wall <= r.target ? `ok ≤${r.target}s` : `MISS >${r.target}s`);
  if (r.targetRss !== undefined && r.rss !== undefined) verdict.push(r.rss <= r.targetRss ? `ok ≤${r.targetRss}MB` : `MISS >${r.targetRss}MB`);
  console.log(
    `| ${r.name.padEnd(58)} | ${fmt(r.wall).padStart(6)} | ${fmt(r.min).padStart(6)} | ${fmt(r.mbs, 0).padStart(5)} | ${fmt(r.rss, 0).padStart(5)} | ${[...verdict, r.note ?? ''].filter(Boolean).join(', ')}`,
  );
}

/** Whether this build has a subcommand (the top-level help lists it). */
function hasCommand(name) {
  const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  return new RegExp(`^\\s+${name}\\b`, 'm').test(r.stdout ?? '');
}

function hasOption(command, option) {
  const r = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
  return (r.stdout ?? '').includes(option);
}

function skip(name, reason) {
  if (only && !name.includes(only)) return;
  console.log(`| ${name.padEnd(58)} | skipped: ${reason}`);
}

// ---- header -------------------------------------------------------------------------------
const commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) ?? 'unknown';
const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
console.log(`ctflow bench — commit ${commit}${dirty}${quick ? ' — QUICK (100k lines; the targets are for the full run and not judged here)' : ''}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free), ` +
    `node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(`runs per row: ${runs} (median wall; min shown too, it is the least disturbed by other load); RSS: ${TIME ? '/usr/bin/time -v' : 'process.resourceUsage() hook'}`);

const T = table(N, 'proc');
const T4 = table(N * 4, 'proc');
const TL = table(N, 'conntrack');
const bytes = statSync(T).size;
const bytes4 = statSync(T4).size;
const label = quick ? '100k' : '1M';
const label4 = quick ? '400k' : '4M';
console.log(`tables: ${T} (${(bytes / 1e6).toFixed(0)} MB), ${T4} (${(bytes4 / 1e6).toFixed(0)} MB), ${TL} (conntrack -L format, ${(statSync(TL).size / 1e6).toFixed(0)} MB)`);
console.log('');
console.log(`| ${'scenario'.padEnd(58)} | median |    min |  MB/s |   RSS | target`);
console.log(`|${'-'.repeat(60)}|--------|--------|-------|-------|-------`);

const node = process.execPath;
// the generator's simulated host (its tables come from another machine, so flows is told whose
// addresses are local, as a user reading a copied table would)
const LOCAL = ['--local', '10.0.1.5,2001:db8:1::5'];
const ct = (...a) => ({ argv: [node, CLI, ...a] });
scenario(`wc -l (${label})`, { argv: ['wc', '-l', T] }, { bytes });
scenario(`awk: count per protocol (${label})`, { argv: ['awk', '{ n[$3]++ } END { for (p in n) print p, n[p] }', T] }, { bytes });

const flows = hasCommand('flows');
if (flows) {
  const r1 = scenario(`ctflow flows -n --json --file T (${label})`, ct('flows', '-n', '--json', ...LOCAL, '--file', T), { bytes, target: 0.5, targetRss: 80 });
  const r4 = scenario(`ctflow flows -n --json --file T (${label4})`, ct('flows', '-n', '--json', ...LOCAL, '--file', T4), { bytes: bytes4 });
  if (r1?.rss && r4?.rss) {
    const growth = (r4.rss / r1.rss - 1) * 100;
    console.log(`|   peak RSS ${label4} vs ${label}: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%${quick ? '' : ` (target: within 10%) ${Math.abs(growth) <= 10 ? 'ok' : 'MISS'}`} (more flows: see the next row)`);
  }
  const sameFlows = `ctflow flows … (${label} table 4 times: ${label4} lines, same flows)`;
  // (the repeated table is written only when its row runs)
  const rx4 = only && !sameFlows.includes(only) ? undefined : scenario(sameFlows, ct('flows', '-n', '--json', ...LOCAL, '--file', repeated(T)), { bytes: bytes * 4 });
  if (r1?.rss && rx4?.rss) {
    const growth = (rx4.rss / r1.rss - 1) * 100;
    console.log(`|   peak RSS 4× the lines, same flows, vs ${label}: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%${quick ? '' : ` (within 10%: ${Math.abs(growth) <= 10 ? 'ok' : 'MISS'})`}`);
  }
} else {
  skip(`ctflow flows -n --json --file T (${label}, ${label4})`, 'this build has no flows command');
}
scenario(`ctflow list --sort bytes --limit 25 --json --file T (${label})`, ct('list', '--sort', 'bytes', '--limit', '25', '--json', '--file', T), { bytes, target: 0.5, targetRss: 80 });
if (flows) {
  const timed = TIME ? `${TIME} -v ` : '';
  scenario(`cat T | ctflow flows -n --json --stdin (${label})`, { shell: `cat '${T}' | ${timed}'${node}' '${CLI}' flows -n --json ${LOCAL.join(' ')} --stdin` }, { bytes, target: 0.7 });
} else {
  skip(`cat T | ctflow flows -n --json --stdin (${label})`, 'this build has no flows command');
}
scenario(`ctflow list --ndjson --file T > /dev/null (${label})`, ct('list', '--ndjson', '--file', T), { bytes, target: 1.5, targetRss: 100 });
if (hasCommand('stats')) {
  scenario(`ctflow stats --json --file T (${label})`, ct('stats', '--json', '--file', T), { bytes, target: 0.5 });
} else {
  skip(`ctflow stats --json --file T (${label})`, 'this build has no stats command');
}
scenario(`lsconntrack comparison: list --limit 25 on conntrack -L format (${label})`, ct('list', '--limit', '25', '--file', TL), {
  bytes: statSync(TL).size, note: 'lsconntrack: ~2.1 s, 22 MB (issue 8, 1M)',
});

// ---- live table ---------------------------------------------------------------------------
live();

function live() {
  const name = `live: ctflow flows -n vs cat /proc/net/nf_conntrack (${LIVE_N / 1000}k, netns)`;
  if (only && !name.includes(only)) return;
  if (process.getuid?.() !== 0) return skip(name, 'needs root (network namespace)');
  if (!sh('conntrack', ['--version']) && !sh('sh', ['-c', 'command -v conntrack'])) return skip(name, 'conntrack (conntrack-tools) is not installed');
  if (!sh('ip', ['-V'])) return skip(name, 'iproute2 (ip) is not installed');
  const max = Number(sh('cat', ['/proc/sys/net/netfilter/nf_conntrack_max']) ?? 0);
  const count = Number(sh('cat', ['/proc/sys/net/netfilter/nf_conntrack_count']) ?? 0);
  if (max - count < LIVE_N + 1000) return skip(name, `nf_conntrack_max (${max}) leaves no room for ${LIVE_N} entries; not raising a host setting`);
  const cmd = flows ? ['flows', '-n'] : ['list', '--limit', '25'];
  const ns = `ctflow-bench-${process.pid}`;
  try {
    const have = fillNamespace(ns, LIVE_N);
    const catRow = scenario(`live: cat /proc/net/nf_conntrack > /dev/null (${have})`, { argv: ['ip', 'netns', 'exec', ns, 'cat', '/proc/net/nf_conntrack'] });
    const ctRow = scenario(`live: ctflow ${cmd.join(' ')} (${have})`, { argv: ['ip', 'netns', 'exec', ns, node, CLI, ...cmd] });
    if (catRow && ctRow) {
      const ratio = ctRow.wall / catRow.wall;
      console.log(`|   ctflow / cat = ${ratio.toFixed(2)}${quick ? '' : ` (target ≤ 1.15) ${ratio <= 1.15 ? 'ok' : 'MISS'}`}${flows ? '' : ' — flows not in this build, list --limit 25 measured instead'}`);
    }
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
}

/**
 * A new namespace `ns` owning 10.0.1.5 (on its loopback) with `n` entries. One `conntrack -R`
 * process loads the whole batch (200k `conntrack -I` calls would take minutes). Like the
 * generator's host, half the entries are peers connecting to its services, half are it
 * connecting out, so flows groups them into a few thousand flows as on a real server. Every
 * tuple is unique.
 */
function fillNamespace(ns, n) {
  const batch = join(dir, `live-${process.pid}.txt`);
  const lines = [];
  const PEERS = 762; // 10.0.2-4.1-254
  for (let i = 0; i < n; i++) {
    const p = i % PEERS;
    const peer = `10.0.${2 + Math.floor(p / 254)}.${1 + (p % 254)}`;
    const ephemeral = 1024 + Math.floor(i / PEERS);
    const proto = i % 10 === 9 ? 'udp' : 'tcp';
    const state = proto === 'tcp' ? ' --state ESTABLISHED' : '';
    const [src, dst, dport] = i % 2 === 0
      ? [peer, '10.0.1.5', [22, 80, 443, 5432][(i >> 1) % 4]]
      : ['10.0.1.5', peer, [3306, 6379, 53, 443][(i >> 1) % 4]];
    lines.push(`-I -p ${proto} -s ${src} -d ${dst} --sport ${ephemeral} --dport ${dport} -t 3600${state} -u ASSURED`);
  }
  writeFileSync(batch, `${lines.join('\n')}\n`);
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', '10.0.1.5/32', 'dev', 'lo']);
    const t0 = Date.now();
    spawnSync('ip', ['netns', 'exec', ns, 'conntrack', '-R', batch], { stdio: 'ignore' });
    const have = Number(sh('ip', ['netns', 'exec', ns, 'sh', '-c', 'wc -l < /proc/net/nf_conntrack']) ?? 0);
    console.log(`|   filled ${ns} with ${have} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s (conntrack -R batch)`);
    return have;
  } finally {
    try { unlinkSync(batch); } catch { /* already gone */ }
  }
}

// ---- --processes on the live table ------------------------------------------------------------
liveProcesses();

/**
 * issue 17's row: `flows -n --processes` against `flows -n` on a 100k-entry live table while
 * 1,000 sockets are open in the namespace (a node process holding 500 loopback connections to its
 * own listener on 10.0.1.5:80: 500 client sockets, 500 accepted, 1 listener). Target: ≤ +20%.
 */
function liveProcesses() {
  const n = 100_000; // the acceptance's size, also in a quick run
  const name = `live: ctflow flows -n --processes vs flows -n (${n / 1000}k, 1,000 sockets, netns)`;
  if (only && !name.includes(only)) return;
  if (!flows || !hasOption('flows', '--processes')) return skip(name, 'flows --processes is not in this build');
  if (process.getuid?.() !== 0) return skip(name, 'needs root (network namespace)');
  if (!sh('ip', ['-V'])) return skip(name, 'iproute2 (ip) is not installed');
  const max = Number(sh('cat', ['/proc/sys/net/netfilter/nf_conntrack_max']) ?? 0);
  const count = Number(sh('cat', ['/proc/sys/net/netfilter/nf_conntrack_count']) ?? 0);
  if (max - count < n + 2000) return skip(name, `nf_conntrack_max (${max}) leaves no room for ${n} entries; not raising a host setting`);
  const ns = `ctflow-bench-p${process.pid}`;
  let holder;
  try {
    const have = fillNamespace(ns, n);
    const hold = `const net = require('node:net'); const held = [];
      const server = net.createServer((s) => held.push(s)).listen(80, '10.0.1.5', () => {
        let open = 0;
        for (let i = 0; i < 500; i++) held.push(net.connect(80, '10.0.1.5', () => { if (++open === 500) console.log('ready'); }));
      });`;
    holder = spawn('ip', ['netns', 'exec', ns, node, '-e', hold], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = spawnSync('sh', ['-c', `for i in $(seq 100); do [ "$(ip netns exec ${ns} sh -c 'grep -c ":0050 " /proc/net/tcp')" -ge 1001 ] && exit 0; sleep 0.1; done; exit 1`]);
    if (ready.status !== 0) return skip(name, 'the 1,000 sockets did not open');
    // the two commands alternate, run by run: on a shared machine the load drifts between rows
    const specs = [['flows', '-n'], ['flows', '-n', '--processes']].map((cmd) => ({ argv: ['ip', 'netns', 'exec', ns, node, CLI, ...cmd] }));
    const runsOf = [[], []];
    for (let i = 0; i < runs; i++) specs.forEach((spec, j) => runsOf[j].push(measure(spec)));
    const [plain, withProcs] = runsOf.map((ms, j) => {
      const walls = ms.map((m) => m.wall);
      const rss = ms.flatMap((m) => (m.rssMB === undefined ? [] : [m.rssMB]));
      const row = { name: `live: ctflow ${specs[j].argv.slice(6).join(' ')} (${have}, 1,000 sockets)`, wall: median(walls), min: Math.min(...walls), rss: rss.length ? Math.max(...rss) : undefined };
      rows.push(row);
      print(row);
      return row;
    });
    const extra = withProcs.wall / plain.wall - 1;
    console.log(`|   --processes adds ${(extra * 100).toFixed(1)}% (target ≤ 20%) ${extra <= 0.2 ? 'ok' : 'MISS'}`);
  } finally {
    holder?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
}
