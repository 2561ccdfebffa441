// `ctflow update --set-mark` through the real CLI with no root: table from the inserted/ fixture
// (--file, --stdin, --exec), changes to a fake conntrack that logs its argv. conntrack -U takes
// only some filters; the others must be refused before anything runs (exit 1).
// The last test checks that every flag --help lists was passed by some test in this file.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { fakeConntrack } from '../helpers/fake-conntrack.js';
import { helpFlags, OptionCoverage } from '../helpers/option-coverage.js';

const TABLE = fixture('inserted/proc_nf_conntrack.txt');
const dir = mkdtempSync(join(tmpdir(), 'ctflow-update-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = new OptionCoverage('update');

interface DryRun { dry_run: true; matched: Array<{ protocol: string; mark: number; original: { sport: number | null } }>; would_run: string[] }

const DNS = ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '53000', '--dport', '53'];

// [flags, entries matched, the command --dry-run shows]
const TAKEN: Array<[string[], number, string]> = [
  [['-p', 'tcp', '-f', 'ipv6', '--set-mark', '0x42'], 1, 'conntrack -U -f ipv6 -p tcp -m 66'],
  [['--proto', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--set-mark', '5/0xf'], 2, 'conntrack -U -f ipv4 -p udp -s 192.0.2.10 -d 192.0.2.11 -m 5/0xf'],
  [['--src', '192.0.2.0/24', '--dst', '192.0.2.12', '-p', 'icmp', '--set-mark', '1'], 2, 'conntrack -U -f ipv4 -p icmp -s 192.0.2.0/24 -d 192.0.2.12 -m 1'],
  [['-r', '192.0.2.12', '-q', '192.0.2.13', '--set-mark', '1'], 1, 'conntrack -U -f ipv4 -r 192.0.2.12 -q 192.0.2.13 -m 1'],
  [['--reply-src', '192.0.2.12', '--reply-dst', '192.0.2.13', '--set-mark', '1'], 1, 'conntrack -U -f ipv4 -r 192.0.2.12 -q 192.0.2.13 -m 1'],
  [['--family', 'ipv6', '--set-mark', '0xffffffff'], 3, 'conntrack -U -f ipv6 -m 4294967295'],
  [['--exact', ...DNS, '--set-mark', '7'], 1, 'conntrack -U -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53000 --dport 53 -m 7'],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-type', '13', '--icmp-code', '0', '--icmp-id', '2010', '--set-mark', '7'], 1,
    'conntrack -U -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-type 13 --icmp-code 0 --icmp-id 2010 -m 7'],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-code', '0', '--set-mark', '7'], 2, 'conntrack -U -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-code 0 -m 7'],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-id', '1010', '--set-mark', '7'], 1, 'conntrack -U -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-id 1010 -m 7'],
  // -w 0: conntrack -U reaches only entries outside zones anyway, so the zone is left out
  [['-w', '0', '-p', 'udplite', '--set-mark', '1'], 1, 'conntrack -U -f ipv4 -p udplite -m 1'],
  // port filters, each with the family of what it matched (without one conntrack -U fails)
  [['-p', 'udp', '--sport', '5062', '--set-mark', '1'], 1, 'conntrack -U -f ipv4 -p udp --sport 5062 -m 1'],
  [['-p', 'udp', '--dport', '5060', '--set-mark', '1'], 2, 'conntrack -U -f ipv4 -p udp --dport 5060 -m 1'],
  [['-p', 'udp', '--reply-port-src', '547', '--set-mark', '1'], 1, 'conntrack -U -f ipv6 -p udp --reply-port-src 547 -m 1'],
  [['-p', 'udp', '--reply-port-dst', '5062', '--set-mark', '1'], 1, 'conntrack -U -f ipv4 -p udp --reply-port-dst 5062 -m 1'],
  // --port: the one of its four port filters that selects every match
  [['-p', 'udp', '--port', '5060', '--set-mark', '1'], 2, 'conntrack -U -f ipv4 -p udp --dport 5060 -m 1'],
];

test('--dry-run: a filter that matched both families runs conntrack -U once per family', async () => {
  const [json, text] = await Promise.all([
    cli.run(['--file', TABLE, '--dry-run', '--json', '-p', 'udp', '-w', '0', '--set-mark', '0x42']),
    cli.run(['--file', TABLE, '--dry-run', '-p', 'udp', '-w', '0', '--set-mark', '0x42']),
  ]);
  const out = JSON.parse(json.stdout) as DryRun;
  assert.deepStrictEqual([json.code, json.stderr, out.matched.map((c) => c.original.sport), out.would_run], [
    0, '', [5062, 5070, 546, 53001, 53000], ['conntrack -U -f ipv4 -p udp -m 66', 'conntrack -U -f ipv6 -p udp -m 66'],
  ]);
  assert.deepStrictEqual([text.code, text.stdout.split('\n').slice(-4)], [0, [
    '5 connections would be updated by:', '  conntrack -U -f ipv4 -p udp -m 66', '  conntrack -U -f ipv6 -p udp -m 66', '',
  ]]);
});

test('--dry-run --json: the filters conntrack -U takes → the matches and the exact command', async () => {
  const got = await Promise.all(TAKEN.map(async ([flags]) => {
    const r = await cli.run(['--file', TABLE, '--dry-run', '--json', ...flags]);
    const out = JSON.parse(r.stdout) as DryRun;
    return [flags.join(' '), r.code, r.stderr, out.matched.length, out.would_run];
  }));
  assert.deepStrictEqual(got, TAKEN.map(([flags, n, cmd]) => [flags.join(' '), 0, '', n, [cmd]]));
});

const REFUSED = (why: string): string =>
  `ctflow: update: this filter cannot be passed to conntrack -U (${why}) and conntrack's -R batch of -U lines is unreliable, nothing was changed; filter with -p, -s, -d, -r, -q, -f and ports only, or name one connection with --exact\n`;

// [flags, the one sentence on stderr]: all exit 1 and run nothing
const REFUSALS: Array<[string[], string]> = [
  [['-p', 'sctp', '--state', 'ESTABLISHED'], REFUSED('conntrack -U does not filter by --state')],
  [['-m', '99'], REFUSED('-m means "set" for conntrack -U')],
  [['--mark', '1/0xff', '-p', 'udp', '--dport', '53'], 'ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, 1 of 1 matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)\n'],
  [['-u', 'ASSURED', '-p', 'sctp'], REFUSED('-u means "set" for conntrack -U')],
  [['--status', 'ASSURED', '-p', 'sctp'], REFUSED('-u means "set" for conntrack -U')],
  [['--zone', '65535'], 'ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, 1 of 1 matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)\n'],
  // -w 0 also matches entries whose zone is only directional (zone-orig/zone-reply): -U cannot reach them
  [['-w', '0', '-p', 'tcp'], 'ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, 2 of 12 matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)\n'],
  [['--snat'], REFUSED('conntrack has no equal filter')],
  [['--dnat'], REFUSED('conntrack has no equal filter')],
  [['--nat'], REFUSED('conntrack has no equal filter')],
  [['-p', 'tcp', '--dport', '443'], 'ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, 3 of 10 matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)\n'],
];

test('filters conntrack -U cannot take, and zoned entries, are refused (exit 1) before anything runs', async () => {
  const ct = fakeConntrack(dir);
  const got = await Promise.all(REFUSALS.map(async ([flags]) => {
    const r = await cli.run(['--exec', '--conntrack-bin', ct.bin, '--yes', '--set-mark', '1', ...flags]);
    return [flags.join(' '), r.code, r.stdout, r.stderr];
  }));
  assert.deepStrictEqual(got, REFUSALS.map(([flags, err]) => [flags.join(' '), 1, '', err]));
  // only the reads ran
  assert.deepStrictEqual(ct.runs(), Array(REFUSALS.length).fill('-L -o extended'));
});

test('--set-mark is required and checked; --icmp-* values are checked (exit 2)', async () => {
  const cases: Array<[string[], string]> = [
    [['-p', 'udp'], 'ctflow: --set-mark is required (what to change), got nothing\n'],
    [['-p', 'udp', '--set-mark', 'blue'], 'ctflow: --set-mark: expected MARK or MARK/MASK (decimal or 0x hex, 32 bits), got "blue"\n'],
    [['--icmp-type', '256', '-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--set-mark', '1'], 'ctflow: --icmp-type: expected a number from 0 to 255, got "256"\n'],
  ];
  const got = await Promise.all(cases.map(async ([flags]) => {
    const r = await cli.run(['--file', TABLE, ...flags]);
    return [r.code, r.stdout, r.stderr];
  }));
  assert.deepStrictEqual(got, cases.map(([, err]) => [2, '', err]));
});

test('updates one exact connection with one conntrack -U argv and reports conntrack\'s count', async () => {
  const ct = fakeConntrack(dir);
  const r = await cli.run(['--exact', ...DNS, '--set-mark', '0x10/0xf0', '--exec', '--conntrack-bin', ct.bin]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'updated 1 connection\n', '']);
  assert.deepStrictEqual(ct.runs(), ['-L -o extended', '-U -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53000 --dport 53 -m 16/0xf0']);
});

test('--json, --max, --yes/-y, no terminal, nothing matched', async () => {
  const ct = fakeConntrack(dir, { count: 2 });
  const base = ['-p', 'udp', '-d', '192.0.2.11', '--set-mark', '9', '--exec', '--conntrack-bin', ct.bin];
  const [json, max, noYes, none] = await Promise.all([
    cli.run([...base, '--json', '-y', '--max', '2']),
    cli.run([...base, '--max', '1', '--yes']),
    cli.run(base),
    cli.run(['-s', '198.51.100.1', '--set-mark', '9', '--yes', '--exec', '--conntrack-bin', ct.bin]),
  ]);
  const out = JSON.parse(json.stdout) as { updated: number; matched: DryRun['matched'] };
  assert.deepStrictEqual([json.code, json.stderr, out.updated, out.matched.map((c) => c.original.sport)], [0, '', 2, [5062, 5070]]);
  assert.deepStrictEqual([max, noYes, none].map((r) => [r.code, r.stdout, r.stderr]), [
    [1, '', 'ctflow: --max 1: 2 connections match, refusing to update any (raise --max or narrow the filter)\n'],
    [1, '', 'ctflow: update the mark of 2 connections: stdin is not a terminal, so nothing was changed; add --yes to confirm\n'],
    [3, '', 'ctflow: update: nothing matched, nothing changed\n'],
  ]);
  assert.deepStrictEqual(ct.runs().sort(), [...Array(4).fill('-L -o extended'), '-U -f ipv4 -p udp -d 192.0.2.11 -m 9']);
});

test('an update conntrack stops part-way (ENOBUFS) runs again, per family, until every match carries the new mark', async () => {
  const ct = fakeConntrack(dir, { perRun: 2 });
  const r = await cli.run(['-p', 'udp', '-w', '0', '--set-mark', '0x42', '--yes', '--exec', '--conntrack-bin', ct.bin]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'updated 5 connections\n', '']);
  // a stopped run that changed entries is run again at once; the table is read once, at the end
  assert.deepStrictEqual(ct.runs(), [
    '-L -o extended', '-U -f ipv4 -p udp -m 66', '-U -f ipv4 -p udp -m 66', '-U -f ipv6 -p udp -m 66', '-L -o extended',
  ]);
  const marked = readFileSync(join(ct.dir, 'table'), 'utf8').split('\n').filter((l) => / udp .* mark=66 /.test(l)).map((l) => / sport=(\d+)/.exec(l)?.[1]);
  assert.deepStrictEqual(marked, ['5062', '5070', '546', '53001', '53000']);
});

test('an update whose mark would flip back on a second run stops: exactly what was and was not updated, exit 1', async () => {
  const args = ['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--set-mark', '0x10/0xf', '--yes', '--exec'];
  const [text, json] = [fakeConntrack(dir, { perRun: 1 }), fakeConntrack(dir, { perRun: 1 })];
  const [t, j] = await Promise.all([cli.run([...args, '--conntrack-bin', text.bin]), cli.run([...args, '--json', '--conntrack-bin', json.bin])]);
  const sentence = (bin: string): string => `ctflow: update: ${bin} -U -f ipv4 -p udp -s 192.0.2.10 -d 192.0.2.11 -m 16/0xf stopped part-way `
    + '(conntrack v1.4.7 (conntrack-tools): Operation failed: No buffer space available) and a second run would flip back what the first changed '
    + '(--set-mark 16/0xf has bits outside its mask), so 1 connection was updated and 1 was not\n';
  assert.deepStrictEqual([t.code, t.stderr, t.stdout.split('\n').slice(-2)], [1, sentence(text.bin), ['updated 1 connection, 1 not updated (above)', '']]);
  assert.match(t.stdout, /udp .*5070/);
  const out = JSON.parse(j.stdout) as { updated: number; matched: DryRun['matched']; not_updated: DryRun['matched'] };
  assert.deepStrictEqual([j.code, j.stderr, out.updated, out.matched.map((c) => c.original.sport), out.not_updated.map((c) => c.original.sport)],
    [1, sentence(json.bin), 1, [5062, 5070], [5070]]);
  // run once, checked once: never a second -U that would flip 5062 back
  assert.deepStrictEqual(json.runs(), ['-L -o extended', '-U -f ipv4 -p udp -s 192.0.2.10 -d 192.0.2.11 -m 16/0xf', '-L -o extended']);
});

test('a saved table only previews an update; no filter at all is refused; nothing matched with --json', async () => {
  const ct = fakeConntrack(dir);
  const [saved, fromStdin, bare, noneJson] = await Promise.all([
    cli.run(['-p', 'udp', '--set-mark', '9', '--yes', '--file', TABLE, '--conntrack-bin', ct.bin]),
    cli.run(['-p', 'udp', '--set-mark', '9', '--yes', '--stdin', '--conntrack-bin', ct.bin], { stdin: readFileSync(TABLE) }),
    cli.run(['--set-mark', '9', '--yes', '--exec', '--conntrack-bin', ct.bin]),
    cli.run(['-s', '198.51.100.1', '--set-mark', '9', '--yes', '--json', '--exec', '--conntrack-bin', ct.bin]),
  ]);
  assert.deepStrictEqual([saved, fromStdin, bare, noneJson].map((r) => [r.code, r.stdout, r.stderr]), [
    [2, '', 'ctflow: update: --file gives a saved table, but an update acts on the live one: add --dry-run to preview, or drop it to read /proc (or use --exec)\n'],
    [2, '', 'ctflow: update: --stdin gives a saved table, but an update acts on the live one: add --dry-run to preview, or drop it to read /proc (or use --exec)\n'],
    [2, '', 'ctflow: update: name what to update: at least one filter option or --exact, got none (ctflow flush empties the table)\n'],
    [3, '{\n  "updated": 0,\n  "matched": []\n}\n', 'ctflow: update: nothing matched, nothing changed\n'],
  ]);
  assert.deepStrictEqual(ct.runs(), ['-L -o extended']);
});

test('reads the table from --stdin, --file -, --exec (by --conntrack-bin and on PATH); --strict stops at a bad line', async () => {
  const table = readFileSync(TABLE);
  const args = ['-p', 'udp', '-d', '192.0.2.11', '--set-mark', '9', '--dry-run', '--json'];
  const ct = fakeConntrack(dir);
  const onPath = fakeConntrack(dir);
  const broken = join(dir, 'broken.txt');
  writeFileSync(broken, `${table.toString('utf8').split('\n').slice(0, 4).join('\n')}\nnot a conntrack line\n`);
  const results = await Promise.all([
    cli.run([...args, '--stdin'], { stdin: table }),
    cli.run([...args, '--file', '-'], { stdin: table }),
    cli.run([...args, '--exec', '--conntrack-bin', ct.bin]),
    cli.run([...args, '--exec'], { env: { PATH: `${onPath.dir}:${process.env.PATH}` } }),
    cli.run([...args, '--file', broken]),
  ]);
  const sports = (r: { stdout: string }): Array<number | null> => (JSON.parse(r.stdout) as DryRun).matched.map((c) => c.original.sport);
  assert.deepStrictEqual(results.map((r) => [r.code, r.stderr, sports(r)]), [
    [0, '', [5062, 5070]], [0, '', [5062, 5070]], [0, '', [5062, 5070]], [0, '', [5062, 5070]], [0, '', [5062]],
  ]);
  assert.deepStrictEqual([ct.runs(), onPath.runs()], [['-L -o extended'], ['-L -o extended']]);
  const strict = await cli.run([...args, '--file', broken, '--strict']);
  assert.deepStrictEqual([strict.code, strict.stdout, strict.stderr], [1, '', 'ctflow: line 5 is not a conntrack entry: "not a conntrack line"\n']);
});

test('--dry-run table: colour only when forced, --no-color wins', async () => {
  const args = ['--file', TABLE, '--dry-run', '--exact', ...DNS, '--set-mark', '1'];
  const env = { NO_COLOR: '', FORCE_COLOR: '1' };
  const [plain, forced, noColor] = await Promise.all([cli.run(args), cli.run(args, { env }), cli.run([...args, '--no-color'], { env })]);
  const ESC = '\u001b[';
  assert.deepStrictEqual([plain.code, plain.stdout.includes(ESC), forced.stdout.includes(ESC), noColor.stdout], [0, false, true, plain.stdout]);
  assert.deepStrictEqual(plain.stdout.split('\n').slice(-3), [
    '1 connection would be updated by:',
    '  conntrack -U -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53000 --dport 53 -m 1',
    '',
  ]);
});

test('--help lists exactly these flags, and every one was passed by a test above', async () => {
  const r = await runCli(['update', '--help']);
  assert.equal(r.code, 0);
  assert.deepStrictEqual(helpFlags(r.stdout), [
    '--set-mark', '--dry-run', '-y', '--yes', '--max',
    '--file', '--stdin', '--exec', '--conntrack-bin', '--strict',
    '--exact', '--icmp-type', '--icmp-code', '--icmp-id',
    '-p', '--proto', '--state', '-s', '--src', '-d', '--dst', '-r', '--reply-src', '-q', '--reply-dst', '--sport', '--dport',
    '--reply-port-src', '--reply-port-dst', '--port', '-m', '--mark', '-w', '--zone', '-u', '--status', '--snat', '--dnat', '--nat',
    '-f', '--family',
    '--json', '--no-color',
  ]);
  assert.deepStrictEqual(cli.unused(r.stdout), []);
});
