#!/usr/bin/env node
// Proves a refactoring changed no output: runs every read command and format of a built ctflow
// (flows, list, stats, protocols, api read, delete/update --dry-run) over every fixture table
// and the generator's 1M-line tables (with and without worker threads, from a file and a pipe)
// and writes one line per case: its name and a SHA-256 of its stdout, stderr and exit code.
//
//   node scripts/compare-outputs.mjs [--cli dist/cli.js] [--quick] [--combined-only] [--jobs 2] --out FILE
//   node scripts/compare-outputs.mjs --compare A B [--partial]  (exit 1 and the differing cases;
//     --partial: only the cases both hold, e.g. A.partial of a run cut short)
//   node scripts/compare-outputs.mjs --cycles          (exit 1 on an import cycle or upward import in src/)
//
// Every case runs on all fixture tables put together, a few on each fixture by itself. --quick
// runs those and only a few 1M cases. The 1M tables are generated once into
// $CTFLOW_COMPARE_DIR (default /tmp/ctflow-compare). Environment: NO_COLOR=1 TZ=UTC LC_ALL=C,
// flows with -n and --local so that neither DNS nor this host's addresses matter.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const value = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

if (args.includes('--compare')) process.exit(compare(value('--compare'), args[args.indexOf('--compare') + 2]));
if (args.includes('--cycles')) process.exit(cycles(join(ROOT, 'src')));

const CLI = resolve(value('--cli', join(ROOT, 'dist', 'cli.js')));
const OUT = value('--out');
const QUICK = args.includes('--quick');
/** only the fixtures put together (every case), not each fixture by itself */
const COMBINED_ONLY = args.includes('--combined-only');
const JOBS = Number(value('--jobs', '2'));
const DIR = process.env.CTFLOW_COMPARE_DIR ?? '/tmp/ctflow-compare';
if (OUT === undefined && !args.includes('--list')) {
  process.stderr.write('usage: compare-outputs.mjs [--cli dist/cli.js] [--quick] [--jobs N] --out FILE | --compare A B | --cycles\n');
  process.exit(2);
}
mkdirSync(DIR, { recursive: true });

const FIX = join(ROOT, 'fixtures');
const ZONES = join(FIX, 'examples', 'nat-router-zones.txt');
const MARK_MAP = join(DIR, 'mark-map.json');
writeFileSync(MARK_MAP, JSON.stringify({
  provider: { mask: '0xffff0000', names: { 1: 'wan1', 2: 'wan2' } },
  ndpi: { mask: '0xff00', shift: 8, names: { 7: 'HTTP', '0x5c': 'TLS' } },
  prio: { mask: '0xff', names: { 1: 'high', 2: 'low' } },
}));
/** the captures' hosts and the generator's (test/helpers/flows.ts FIXTURE_LOCAL_SETS) */
const LOCALS = ['10.3.0.10,fd00:a3::10,127.0.0.1,::1', '10.0.0.1,192.168.1.1,10.1.0.1,fd00:a2::1,10.0.1.5,2001:db8:1::5'];

function fixtureTables() {
  const out = [];
  for (const host of readdirSync(join(FIX, 'kernel'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const dir = join(FIX, 'kernel', host);
    for (const f of readdirSync(dir).sort()) {
      if (/^(conntrack_L.*\.(txt|xml)|proc_nf_conntrack\.txt)$/.test(f)) out.push(join(dir, f));
    }
  }
  for (const sub of ['examples', 'generated']) {
    for (const f of readdirSync(join(FIX, sub)).sort()) if (f.endsWith('.txt') && !f.includes('zones')) out.push(join(FIX, sub, f));
  }
  return out;
}

function bigTable(format) {
  const path = join(DIR, `ct-${format}-1m.txt`);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}`;
    const fd = openSync(tmp, 'w');
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-conntrack-table.mjs'), '--lines', '1000000', '--format', format], { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`generator failed for ${format}`);
    renameSync(tmp, path);
  }
  return path;
}

/** Every command and format over one table, as [name, argv] (the table's own argv appended). */
function casesFor(full) {
  const c = [];
  const add = (name, argv, stdin) => c.push({ name: name.replaceAll(ZONES, 'ZONES').replaceAll(MARK_MAP, 'MARK_MAP'), argv, stdin });
  for (const [li, local] of LOCALS.entries()) {
    const f = ['flows', '-n', '--no-color', '--local', local];
    const fmts = [[], ['--json'], ['--ndjson'], ['--csv']];
    for (const fmt of fmts) add(`flows L${li} ${fmt.join(' ') || 'table'}`, [...f, ...fmt]);
    {
      for (const key of ['bytes', 'connections', 'packets', 'peer', 'port']) add(`flows L${li} --sort ${key}`, [...f, '--csv', '--sort', key]);
      for (const filter of [['--active'], ['--passive'], ['--local-flows'], ['--forward'], ['--aport', '443,80'], ['--pport', '22'],
        ['-p', 'tcp'], ['--state', 'ESTABLISHED'], ['--nat'], ['--snat'], ['--dnat'], ['-f', 'ipv6'], ['-s', '10.0.0.0/8'],
        ['--limit', '5'], ['-z', ZONES], ['--mark', '0x1/0xff'], ['--zone', '1']]) {
        add(`flows L${li} ${filter.join(' ')}`, [...f, ...filter]);
        if (full) add(`flows L${li} ${filter.join(' ')} --json`, [...f, ...filter, '--json']);
      }
      add(`flows L${li} -z --ndjson --sort peer --limit 7`, [...f, '-z', ZONES, '--ndjson', '--sort', 'peer', '--limit', '7']);
    }
  }
  const l = ['list', '--no-color'];
  for (const fmt of [[], ['--json'], ['--ndjson'], ['--csv']]) add(`list ${fmt.join(' ') || 'table'}`, [...l, ...fmt]);
  add('list --ndjson --limit 5', [...l, '--ndjson', '--limit', '5']);
  for (const key of ['bytes', 'packets', 'timeout', 'src', 'dst', 'sport', 'dport', 'proto', 'state', '-bytes', '-src']) {
    add(`list --sort ${key} csv`, [...l, '--csv', '--sort', key]);
    add(`list --sort ${key} --limit 9 ndjson`, [...l, '--ndjson', '--sort', key, '--limit', '9']);
  }
  add('list --reverse --json', [...l, '--reverse', '--json']);
  add('list --limit 3 table', [...l, '--limit', '3']);
  add('list --limit 3 json', [...l, '--limit', '3', '--json']);
  for (const filter of [['-p', 'tcp'], ['-p', 'udp', '--state', 'UNREPLIED'], ['--state', 'ESTABLISHED,TIME_WAIT'], ['-s', '10.0.0.0/8'],
    ['-d', 'fd00::/8'], ['-r', '10.2.0.2'], ['--dport', '443'], ['--port', '53'], ['--mark', '0/0xff00'], ['--zone', '0'],
    ['-u', 'ASSURED'], ['--nat'], ['--snat'], ['--dnat'], ['-f', 'ipv6'], ['-z', ZONES], ['--src-zone', 'clients', '-z', ZONES],
    ['--mark-map', MARK_MAP]]) {
    add(`list ${filter.join(' ')} table`, [...l, ...filter]);
    add(`list ${filter.join(' ')} ndjson`, [...l, ...filter, '--ndjson']);
    if (full) {
      add(`list ${filter.join(' ')} json`, [...l, ...filter, '--json']);
      add(`list ${filter.join(' ')} csv`, [...l, ...filter, '--csv']);
    }
  }
  const s = ['stats', '--no-color'];
  for (const fmt of [[], ['--json'], ['--prom']]) {
    add(`stats ${fmt.join(' ') || 'table'}`, [...s, ...fmt]);
    add(`stats -p tcp ${fmt.join(' ')}`, [...s, '-p', 'tcp', ...fmt]);
  }
  add('stats --top 3 --json', [...s, '--top', '3', '--json']);
  add('stats --nat -f ipv4 --json', [...s, '--nat', '-f', 'ipv4', '--json']);
  add('protocols --live', ['protocols', '--no-color', '--live']);
  add('protocols --live --json', ['protocols', '--live', '--json']);
  add('api read conntrack', ['api', 'read'], '{"action":"conntrack"}');
  add('api read conntrack tcp expand', ['api', 'read', '--zones', ZONES, '--mark-map', MARK_MAP], '{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","limit":25,"expand":1}');
  add('api read conntrack udp limit', ['api', 'read'], '{"action":"conntrack","protocol":"udp","limit":4}');
  add('api read protocols', ['api', 'read'], '{"action":"protocols"}');
  add('api read stats', ['api', 'read', '--netdata', 'http://127.0.0.1:9'], '{"action":"stats"}');
  for (const cmd of [['delete'], ['update', '--set-mark', '0x10/0xf0']]) {
    add(`${cmd[0]} --dry-run`, [...cmd, '--dry-run', '--no-color']);
    add(`${cmd[0]} --dry-run -p tcp --json`, [...cmd, '--dry-run', '-p', 'tcp', '--json']);
    add(`${cmd[0]} --dry-run --dport 443`, [...cmd, '--dry-run', '--no-color', '--dport', '443']);
  }
  return c;
}

/** The argv naming the table: --file PATH, except api (--file, no --stdin) and a pipe variant. */
function withTable(kase, path, pipe) {
  const argv = [...kase.argv];
  if (pipe) argv.push('--stdin');
  else argv.push('--file', path);
  return argv;
}

function runCase(argv, env, stdinText, stdinFile) {
  return new Promise((done) => {
    const h = createHash('sha256');
    const e = createHash('sha256');
    let bytes = 0;
    const child = spawn(process.execPath, [CLI, ...argv], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C', ...env },
      stdio: [stdinFile === undefined ? 'pipe' : openSync(stdinFile, 'r'), 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => { bytes += d.length; h.update(d); });
    child.stderr.on('data', (d) => e.update(d));
    if (stdinFile === undefined) child.stdin.end(stdinText ?? '');
    child.on('close', (code, signal) => done(`${h.digest('hex').slice(0, 20)} ${e.digest('hex').slice(0, 12)} exit=${code ?? signal} bytes=${bytes}`));
  });
}

/** Every fixture table, one after another: every edge line of every capture meets every case. */
function combinedTable(tables) {
  const path = join(DIR, 'fixtures-combined.txt');
  writeFileSync(path, Buffer.concat(tables.map((t) => readFileSync(t))));
  return path;
}

/** The cases run on each fixture table by itself (the combined table gets all of them). */
const PER_FIXTURE = /^(flows L1 --json|list --ndjson|stats --json|list --sort src csv)$/;

async function main() {
  const jobs = [];
  const tables = fixtureTables();
  const combined = combinedTable(tables);
  for (const table of COMBINED_ONLY ? [combined] : [combined, ...tables]) {
    const rel = table === combined ? 'fixtures-combined' : relative(ROOT, table);
    for (const k of casesFor(table === combined)) {
      if (table !== combined && !PER_FIXTURE.test(k.name)) continue;
      jobs.push({ name: `${rel} | ${k.name}`, argv: withTable(k, table, false), stdin: k.stdin, env: {} });
      if (k.argv[0] !== 'api' && table === combined && /^(list (table|--ndjson)|flows L1 table|stats --json)$/.test(k.name)) {
        jobs.push({ name: `${rel} | ${k.name} (stdin)`, argv: withTable(k, table, true), stdinFile: table, env: {} });
      }
    }
  }
  const big = [['proc', bigTable('proc')], ['conntrack', bigTable('conntrack')]];
  const variants = [['default', {}], ['workers=0', { CTFLOW_WORKERS: '0' }], ['workers=2', { CTFLOW_WORKERS: '2' }]];
  const QUICK_NAMES = new Set(['flows L1 table', 'list --ndjson', 'list --sort bytes --limit 9 ndjson', 'stats --json']);
  const FULL_1M = new Set([...QUICK_NAMES, 'flows L1 --json', 'flows L1 --csv', 'flows L1 --sort peer', 'flows L1 --forward', 'flows L1 -z ZONES',
    'list table', 'list --json', 'list --csv', 'list --sort src --limit 9 ndjson', 'list --sort -bytes csv', 'list --ndjson --limit 5', 'list -z ZONES ndjson',
    'list --nat ndjson', 'stats table', 'stats --prom', 'stats -p tcp --json', 'api read conntrack', 'protocols --live']);
  for (const [format, table] of big) {
    for (const k of casesFor(false)) {
      if (!(QUICK ? QUICK_NAMES : FULL_1M).has(k.name)) continue;
      if (k.argv[0] === 'delete' || k.argv[0] === 'update') continue; // 1M dry-run lines add nothing the list cases lack
      for (const [vn, env] of variants) {
        if (format === 'conntrack' && vn === 'workers=2') continue;
        if (QUICK && (format === 'conntrack' || vn === 'workers=0')) continue;
        if (vn !== 'default' && !/^(flows L1 (table|--aport 443,80)|list (--ndjson|-p tcp ndjson|--sort bytes --limit 9 ndjson)|stats --json)$/.test(k.name)) continue;
        jobs.push({ name: `1M-${format} | ${k.name} | ${vn}`, argv: withTable(k, table, false), stdin: k.stdin, env });
        if (k.argv[0] !== 'api' && vn !== 'workers=0' && /^(list --ndjson|flows L1 table|stats --json)$/.test(k.name)) {
          jobs.push({ name: `1M-${format} | ${k.name} | ${vn} (stdin)`, argv: withTable(k, table, true), stdinFile: table, env });
        }
      }
    }
  }
  if (args.includes('--list')) {
    for (const j of jobs) console.log(j.name);
    return;
  }
  process.stderr.write(`compare-outputs: ${jobs.length} cases with ${CLI}\n`);
  rmSync(`${OUT}.partial`, { force: true });
  const results = new Array(jobs.length);
  let next = 0;
  let doneCount = 0;
  const t0 = Date.now();
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      const j = jobs[i];
      results[i] = `${j.name}\t${await runCase(j.argv, j.env, j.stdin, j.stdinFile)}`;
      // as each case ends, so that a run cut short still says what it compared
      appendFileSync(`${OUT}.partial`, `${results[i]}\n`);
      if (++doneCount % 200 === 0) process.stderr.write(`  ${doneCount}/${jobs.length} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    }
  }
  await Promise.all(Array.from({ length: JOBS }, worker));
  writeFileSync(OUT, results.join('\n') + '\n');
  process.stderr.write(`compare-outputs: wrote ${OUT} in ${Math.round((Date.now() - t0) / 1000)} s\n`);
}

function compare(a, b) {
  const read = (p) => new Map(readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')));
  const A = read(a);
  const B = read(b);
  let diffs = 0;
  const partial = args.includes('--partial');
  let both = 0;
  for (const [name, h] of A) {
    if (B.has(name)) both++;
    if (!B.has(name)) { if (!partial) { console.log(`only in ${a}: ${name}`); diffs++; } }
    else if (B.get(name) !== h) { console.log(`differs: ${name}\n  ${a}: ${h}\n  ${b}: ${B.get(name)}`); diffs++; }
  }
  if (!partial) for (const name of B.keys()) if (!A.has(name)) { console.log(`only in ${b}: ${name}`); diffs++; }
  console.log(diffs === 0 ? `identical: ${both} cases` : `${diffs} of ${both} cases differ`);
  return diffs === 0 ? 0 : 1;
}

/**
 * The layers of src/, lowest first (docs/architecture.md): a module imports only from its own
 * layer or lower ones. Files directly in src/ are named by their base name.
 */
function layers() {
  return [['errors', 'model', 'atomic-file', 'file-error', 'conntrack-missing'], ['source'], ['parse', 'output'], ['filter', 'host', 'aggregate'], ['kernel'], ['render', 'api'], ['scan'], ['commands'], ['cli', 'program', 'man']];
}
function layerOf(dir, file) {
  const rel = relative(dir, file);
  const name = rel.includes('/') ? rel.split('/')[0] : rel.replace(/\.ts$/, '');
  return { name, rank: layers().findIndex((l) => l.includes(name)) };
}

/** Finds an import cycle in src/ or an import that runs up the layers (type-only imports count too). */
function cycles(dir) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(d, e.name));
    }
  };
  walk(dir);
  const edges = new Map();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps = [];
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
      deps.push(resolve(dirname(f), m[1].replace(/\.js$/, '.ts')));
    }
    edges.set(f, deps);
  }
  let upward = 0;
  for (const [f, deps] of edges) {
    const from = layerOf(dir, f);
    if (from.rank < 0) { console.log(`not in a layer: ${relative(dir, f)}`); upward++; }
    for (const d of deps) {
      const to = layerOf(dir, d);
      if (to.rank > from.rank) { console.log(`upward import: ${relative(dir, f)} -> ${relative(dir, d)}`); upward++; }
    }
  }
  const state = new Map();
  const stack = [];
  let found;
  const visit = (f) => {
    if (found) return;
    state.set(f, 1);
    stack.push(f);
    for (const d of edges.get(f) ?? []) {
      if (state.get(d) === 1) { found = [...stack.slice(stack.indexOf(d)), d]; return; }
      if (!state.has(d)) visit(d);
      if (found) return;
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  if (found) console.log(`import cycle: ${found.map((f) => relative(dir, f)).join(' -> ')}`);
  else console.log(`no import cycle among ${files.length} files`);
  if (upward === 0) console.log(`no upward import (layers: ${layers().map((l) => l.join('/')).join(' < ')})`);
  return found || upward > 0 ? 1 : 0;
}

await main();
