// `ctflow delete` through the real CLI (node dist/cli.js) with no root: the table comes from the
// captured inserted/ fixture (--file, --stdin, or --exec from a fake conntrack), and the change
// goes to a fake conntrack (--conntrack-bin or on PATH) that logs the argv and batch it got.
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
const dir = mkdtempSync(join(tmpdir(), 'ctflow-delete-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = new OptionCoverage('delete');

interface DryRun { dry_run: true; matched: Array<{ protocol: string; original: { src: string; sport: number | null; icmp_id: number | null } }>; would_run: string[] }

const TCP443 = ['-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '33010', '--dport', '443'];

// [flags, entries matched in the 29-entry table, the command(s) --dry-run shows]
const FILTERS: Array<[string[], number, string[]]> = [
  [['-p', 'tcp', '--dport', '443'], 10, ['conntrack -D -p tcp --dport 443']],
  [['--proto', 'sctp', '--state', 'ESTABLISHED'], 1, ['conntrack -D -p sctp --state ESTABLISHED']],
  [['-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12'], 3, ['conntrack -D -p udp -s 192.0.2.10 -d 192.0.2.12']],
  [['--src', '192.0.2.0/24', '--dst', '192.0.2.12', '-p', 'icmp'], 2, ['conntrack -D -p icmp -s 192.0.2.0/24 -d 192.0.2.12']],
  [['-r', '192.0.2.12', '-q', '192.0.2.13'], 1, ['conntrack -D -r 192.0.2.12 -q 192.0.2.13']],
  [['--reply-src', '192.0.2.12', '--reply-dst', '192.0.2.13'], 1, ['conntrack -D -r 192.0.2.12 -q 192.0.2.13']],
  [['-p', 'tcp', '--sport', '33020', '--reply-port-src', '8080', '--reply-port-dst', '40000'], 1, ['conntrack -D -p tcp --sport 33020 --reply-port-src 8080 --reply-port-dst 40000']],
  [['--port', '5061'], 1, ['conntrack -D -p udplite --dport 5061']],
  [['--port', '5060'], 4, ['conntrack -D -p udp --dport 5060', 'conntrack -D -p udplite --sport 5060', 'conntrack -D -p tcp --dport 5060']],
  [['-p', 'tcp', '--state', 'FIN_WAIT,CLOSE_WAIT'], 2, ['conntrack -D -p tcp --state FIN_WAIT', 'conntrack -D -p tcp --state CLOSE_WAIT']],
  [['-m', '23552'], 1, ['conntrack -D -m 23552']],
  [['--mark', '0x63/0xff'], 1, ['conntrack -D -m 99/0xff']],
  [['-w', '7'], 1, ['conntrack -R - <<EOF', '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443 -w 7', 'EOF']],
  // without the zone the filter selects no other entry of the table read: conntrack's filter will do
  [['--zone', '4', '--state', 'CLOSE_WAIT', '-p', 'tcp'], 1, ['conntrack -D -p tcp --state CLOSE_WAIT']],
  [['--zone', '4', '-p', 'tcp'], 1, ['conntrack -R - <<EOF', '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33014 --dport 443 --reply-zone 4', 'EOF']],
  [['-u', 'ASSURED', '-p', 'sctp'], 1, ['conntrack -D -p sctp -u ASSURED']],
  [['--status', 'UNREPLIED', '-p', 'icmp'], 1, ['conntrack -R - <<EOF', '-D -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-type 8 --icmp-code 0 --icmp-id 1010 -w 0', 'EOF']],
  [['--snat'], 1, ['conntrack -R - <<EOF', '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33020 --dport 80 -w 0', 'EOF']],
  [['--dnat'], 1, ['conntrack -R - <<EOF', '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33020 --dport 80 -w 0', 'EOF']],
  [['--nat', '-p', 'udp'], 0, ['conntrack -R - <<EOF', 'EOF']],
  [['-f', 'ipv6', '-p', 'tcp'], 1, ['conntrack -D -f ipv6 -p tcp']],
  [['--family', 'ipv6'], 3, ['conntrack -D -f ipv6']],
  [['--exact', ...TCP443], 1, ['conntrack -D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443']],
  [['--exact', ...TCP443, '-w', '7'], 1, ['conntrack -D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443 -w 7']],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-type', '13', '--icmp-code', '0', '--icmp-id', '2010'], 1,
    ['conntrack -D -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-type 13 --icmp-code 0 --icmp-id 2010']],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-type', '8'], 1, ['conntrack -D -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-type 8']],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-code', '0'], 2, ['conntrack -D -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-code 0']],
  [['-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--icmp-id', '1010'], 1, ['conntrack -D -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-id 1010']],
  [['-p', 'icmpv6', '-s', '2001:db8:a::11', '-d', '2001:db8:a::12', '--icmp-type', '128'], 1, ['conntrack -D -p icmpv6 -s 2001:db8:a::11 -d 2001:db8:a::12 --icmpv6-type 128']],
];

// the live table (here: conntrack -L from a fake serving the same capture) is where conntrack's
// own filter may act; a saved table always gets the batch of its exact entries (next test)
test('--dry-run --json: each filter flag and --exact/--icmp-* → the matches and the exact conntrack command', async () => {
  const ct = fakeConntrack(dir);
  const got = await Promise.all(FILTERS.map(async ([flags]) => {
    const r = await cli.run(['--exec', '--dry-run', '--json', ...flags], { env: { PATH: `${ct.dir}:${process.env.PATH}` } });
    const out = JSON.parse(r.stdout) as DryRun;
    return [flags.join(' '), r.code, r.stderr, out.matched.length, out.would_run];
  }));
  assert.deepStrictEqual(got, FILTERS.map(([flags, n, cmd]) => [flags.join(' '), n === 0 ? 3 : 0, '', n, cmd]));
});

test('a saved table (--file) is deleted entry by entry: conntrack\'s filter would act on the live table instead', async () => {
  const r = await cli.run(['--file', TABLE, '--dry-run', '--json', '-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12']);
  assert.deepStrictEqual([r.code, (JSON.parse(r.stdout) as DryRun).would_run], [0, [
    'conntrack -R - <<EOF',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53002 --dport 53 -w 65535',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53001 --dport 53 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53000 --dport 53 -w 0',
    'EOF',
  ]]);
});

test('--dry-run says when conntrack will walk the table once per entry, and why', async () => {
  const r = await cli.run(['--file', TABLE, '--dry-run', '--no-color', '--port', '5060']);
  assert.deepStrictEqual([r.code, r.stderr, r.stdout.split('\n').slice(-9)], [0, '', [
    '4 connections would be deleted by:',
    '  conntrack -R - <<EOF',
    '  -D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33021 --dport 5060 -w 0',
    '  -D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5062 --dport 5060 -w 0',
    '  -D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5070 --dport 5060 -w 0',
    '  -D -p udplite -s 192.0.2.10 -d 192.0.2.11 --sport 5060 --dport 5061 -w 0',
    '  EOF',
    'note: conntrack walks the whole table once per line, 4 times (a saved table is deleted entry by entry)',
    '',
  ]]);
});

test('no filter at all is refused (exit 2): delete acts only on what was named, flush empties the table', async () => {
  const ct = fakeConntrack(dir);
  const [bare, onlyYes] = await Promise.all([
    cli.run(['--exec', '--conntrack-bin', ct.bin]),
    cli.run(['--exec', '--conntrack-bin', ct.bin, '--yes', '--max', '100']),
  ]);
  const refusal = 'ctflow: delete: name what to delete: at least one filter option or --exact, got none (ctflow flush empties the table)\n';
  assert.deepStrictEqual([bare.code, bare.stdout, bare.stderr, onlyYes.code, onlyYes.stderr], [2, '', refusal, 2, refusal]);
  assert.deepStrictEqual(ct.runs(), []);
});

test('bad --exact/--icmp-* input is one sentence and exit 2, before anything runs', async () => {
  const ct = fakeConntrack(dir);
  const cases: Array<[string[], string]> = [
    [['--icmp-type', '300', '-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12'], 'ctflow: --icmp-type: expected a number from 0 to 255, got "300"\n'],
    [['--icmp-code', 'x', '-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12'], 'ctflow: --icmp-code: expected a number from 0 to 255, got "x"\n'],
    [['--icmp-id', '70000', '-p', 'icmp', '-s', '192.0.2.10', '-d', '192.0.2.12'], 'ctflow: --icmp-id: expected a number from 0 to 65535, got "70000"\n'],
    [['--icmp-id', '1', ...TCP443], 'ctflow: --icmp-id: only for icmp and icmpv6, got --proto tcp\n'],
    [['--exact', '-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '1'], 'ctflow: --dport is required for tcp, got nothing\n'],
    [['--exact', ...TCP443, '--port', '1'], 'ctflow: --port: --exact names one connection by -p, -s, -d, --sport, --dport, --icmp-* and -w only, got --port\n'],
    [['--exact', '-p', 'udp', '-s', '192.0.2.0/24', '-d', '192.0.2.12', '--sport', '1', '--dport', '53'], 'ctflow: --src: one connection needs one address (no CIDR), got "192.0.2.0/24"\n'],
    [['-p', 'tcp', '--max', 'many'], 'ctflow: --max: expected a whole number ≥ 0, got "many"\n'],
  ];
  const got = await Promise.all(cases.map(async ([flags]) => {
    const r = await cli.run(['--file', TABLE, '--conntrack-bin', ct.bin, '--yes', ...flags]);
    return [r.code, r.stdout, r.stderr];
  }));
  assert.deepStrictEqual(got, cases.map(([, err]) => [2, '', err]));
  assert.deepStrictEqual(ct.runs(), []);
});

test('deletes one exact connection with one conntrack -D argv, no --yes needed for one', async () => {
  const ct = fakeConntrack(dir);
  const r = await cli.run(['--exact', ...TCP443, '--file', TABLE, '--conntrack-bin', ct.bin]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'deleted 1 connection\n', '']);
  assert.deepStrictEqual(ct.runs(), ['-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443']);
});

test('deletes by --icmp-type/--icmp-code/--icmp-id with the icmpv6 spelling conntrack wants', async () => {
  const ct = fakeConntrack(dir);
  const r = await cli.run(['-p', 'ipv6-icmp', '-s', '2001:db8:a::11', '-d', '2001:db8:a::12', '--icmp-type', '128', '--icmp-code', '0', '--icmp-id', '3010', '--file', TABLE, '--conntrack-bin', ct.bin]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'deleted 1 connection\n', '']);
  assert.deepStrictEqual(ct.runs(), ['-D -p icmpv6 -s 2001:db8:a::11 -d 2001:db8:a::12 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 3010']);
});

test('a filter conntrack lacks goes as one -R batch; --json reports conntrack\'s count and the matches', async () => {
  const ct = fakeConntrack(dir);
  const r = await cli.run(['--port', '5060', '--yes', '--json', '--file', TABLE, '--conntrack-bin', ct.bin]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { deleted: number; matched: DryRun['matched'] };
  assert.deepStrictEqual([out.deleted, out.matched.map((c) => `${c.protocol} ${c.original.sport}`)], [4, ['tcp 33021', 'udp 5062', 'udp 5070', 'udplite 5060']]);
  // the batch is conntrack's stdin: exactly the `conntrack -R - <<EOF` --dry-run shows
  assert.deepStrictEqual(ct.runs(), ['-R -']);
  assert.deepStrictEqual(ct.batch(), [
    '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33021 --dport 5060 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5062 --dport 5060 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5070 --dport 5060 -w 0',
    '-D -p udplite -s 192.0.2.10 -d 192.0.2.11 --sport 5060 --dport 5061 -w 0',
  ]);
});

test('a batch conntrack stops part-way ("Protocol error") runs again with only the entries still there', async () => {
  const ct = fakeConntrack(dir, { perRun: 2 });
  const r = await cli.run(['--port', '5060', '--max', '4', '--yes', '--exec', '--conntrack-bin', ct.bin]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'deleted 4 connections\n', '']);
  // each stop is checked against the table (-L); the final count is the table's too
  assert.deepStrictEqual(ct.runs(), ['-L -o extended', '-R -', '-L -o extended', '-R -', '-L -o extended']);
  assert.deepStrictEqual(ct.batch(), [
    '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33021 --dport 5060 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5062 --dport 5060 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5070 --dport 5060 -w 0',
    '-D -p udplite -s 192.0.2.10 -d 192.0.2.11 --sport 5060 --dport 5061 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5070 --dport 5060 -w 0',
    '-D -p udplite -s 192.0.2.10 -d 192.0.2.11 --sport 5060 --dport 5061 -w 0',
  ]);
  assert.equal(readFileSync(join(ct.dir, 'table'), 'utf8').split('\n').filter((l) => l.includes('5060')).length, 0);
});

test('safety: --max refuses, several matches without a terminal need --yes, nothing matched is exit 3', async () => {
  const live = (fake: ReturnType<typeof fakeConntrack>): string[] => ['-p', 'tcp', '--dport', '443', '--exec', '--conntrack-bin', fake.bin];
  const refused = fakeConntrack(dir, { count: 10 });
  const [max, noYes, none, noneJson] = await Promise.all([
    cli.run([...live(refused), '--max', '9', '--yes']),
    cli.run(live(refused)),
    cli.run(['-s', '198.51.100.1', '--yes', '--exec', '--conntrack-bin', refused.bin]),
    cli.run(['-s', '198.51.100.1', '--yes', '--json', '--exec', '--conntrack-bin', refused.bin]),
  ]);
  assert.deepStrictEqual([max, noYes, none, noneJson].map((r) => [r.code, r.stdout, r.stderr]), [
    [1, '', 'ctflow: --max 9: 10 connections match, refusing to delete any (raise --max or narrow the filter)\n'],
    [1, '', 'ctflow: delete 10 connections: stdin is not a terminal, so nothing was changed; add --yes to confirm\n'],
    [3, '', 'ctflow: delete: nothing matched, nothing changed\n'],
    [3, '{\n  "deleted": 0,\n  "matched": []\n}\n', 'ctflow: delete: nothing matched, nothing changed\n'],
  ]);
  // only the reads ran
  assert.deepStrictEqual(refused.runs(), Array(4).fill('-L -o extended'));

  // with --max, what goes is exactly the entries counted (a batch): entries that start matching
  // between the read and the run cannot push it over the bound; without it, conntrack's filter
  const bounded = fakeConntrack(dir);
  const yes = await cli.run([...live(bounded), '--max', '10', '-y']);
  assert.deepStrictEqual([yes.code, yes.stdout, yes.stderr], [0, 'deleted 10 connections\n', '']);
  assert.deepStrictEqual([bounded.runs(), bounded.batch().length], [['-L -o extended', '-R -'], 10]);
  const unbounded = fakeConntrack(dir, { count: 10 });
  const all = await cli.run([...live(unbounded), '-y']);
  assert.deepStrictEqual([all.code, all.stdout, unbounded.runs()], [0, 'deleted 10 connections\n', ['-L -o extended', '-D -p tcp --dport 443']]);

  // a saved table: the same entries, never the live table's filter
  const saved = fakeConntrack(dir);
  const fromFile = await cli.run(['-p', 'tcp', '--dport', '443', '--file', TABLE, '--conntrack-bin', saved.bin, '-y']);
  assert.deepStrictEqual([fromFile.code, fromFile.stdout, saved.runs(), saved.batch().length], [0, 'deleted 10 connections\n', ['-R -'], 10]);
});

test('a missing conntrack is exit 1 before anything is read, even when nothing would match', async () => {
  const [missing, dry] = await Promise.all([
    cli.run(['-s', '198.51.100.1', '--yes', '--file', TABLE], { env: { PATH: '/nonexistent' } }),
    cli.run(['-s', '198.51.100.1', '--dry-run', '--file', TABLE], { env: { PATH: '/nonexistent' } }),
  ]);
  assert.deepStrictEqual([missing.code, missing.stdout, missing.stderr], [1, '', 'ctflow: cannot run conntrack: not found; install conntrack-tools (apt-get install conntrack), or name the binary with --conntrack-bin\n']);
  // a dry run changes nothing and needs no conntrack
  assert.deepStrictEqual([dry.code, dry.stderr], [3, '']);
});

test('conntrack finding nothing left (entry gone meanwhile) is exit 3; its failure is exit 1 quoting it', async () => {
  const gone = fakeConntrack(dir, { count: 0 });
  const failing = fakeConntrack(dir, { fail: 'Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this' });
  const [r0, r1] = await Promise.all([
    cli.run(['--exact', ...TCP443, '--file', TABLE, '--conntrack-bin', gone.bin]),
    cli.run(['--exact', ...TCP443, '--file', TABLE, '--conntrack-bin', failing.bin]),
  ]);
  assert.deepStrictEqual([r0.code, r0.stdout, r0.stderr], [3, 'deleted 0 connections\n', '']);
  assert.deepStrictEqual([r1.code, r1.stdout, r1.stderr], [1, '', `ctflow: changing the conntrack table needs root (CAP_NET_ADMIN): ${failing.bin} said "conntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this"; run ctflow with sudo\n`]);
});

test('reads the table from --stdin and --file -, the same as from a file', async () => {
  const table = readFileSync(TABLE);
  const args = ['-p', 'tcp', '--dport', '443', '--dry-run', '--json'];
  const [fromStdin, fromDash] = await Promise.all([
    cli.run([...args, '--stdin'], { stdin: table }),
    cli.run([...args, '--file', '-'], { stdin: table }),
  ]);
  const matched = (r: { stdout: string }): string[] => (JSON.parse(r.stdout) as DryRun).matched.map((c) => `${c.original.sport}`);
  const expected = ['33017', '33016', '33012', '33018', '33010', '33013', '33011', '33019', '33014', '33015'];
  assert.deepStrictEqual([fromStdin.code, matched(fromStdin), fromDash.code, matched(fromDash)], [0, expected, 0, expected]);
});

test('--exec reads the table from conntrack -L (with -f) and deletes with the same binary, by --conntrack-bin or on PATH', async () => {
  const ct = fakeConntrack(dir, { count: 2 });
  const r = await cli.run(['--exec', '--conntrack-bin', ct.bin, '-f', 'ipv4', '-p', 'udp', '-d', '192.0.2.11', '--yes']);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'deleted 2 connections\n', '']);
  const onPath = fakeConntrack(dir, { count: 1 });
  const p = await cli.run(['--exec', '--exact', ...TCP443], { env: { PATH: `${onPath.dir}:${process.env.PATH}` } });
  assert.deepStrictEqual([p.code, p.stdout, p.stderr], [0, 'deleted 1 connection\n', '']);
  assert.deepStrictEqual([ct.runs(), onPath.runs()], [
    ['-L -o extended -f ipv4', '-D -f ipv4 -p udp -d 192.0.2.11'],
    ['-L -o extended', '-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443'],
  ]);
});

test('--strict stops at an unreadable line and deletes nothing; without it the line is skipped', async () => {
  const broken = join(dir, 'broken.txt');
  writeFileSync(broken, `${readFileSync(TABLE, 'utf8').split('\n').slice(0, 4).join('\n')}\nnot a conntrack line\n`);
  const ct = fakeConntrack(dir);
  const strict = await cli.run(['--strict', '--file', broken, '--conntrack-bin', ct.bin, '-p', 'udp', '--yes']);
  assert.deepStrictEqual([strict.code, strict.stdout, strict.stderr], [1, '', 'ctflow: line 5 is not a conntrack entry: "not a conntrack line"\n']);
  assert.deepStrictEqual(ct.runs(), []);
  const lax = await cli.run(['--file', broken, '--conntrack-bin', ct.bin, '-p', 'udp', '--yes']);
  assert.deepStrictEqual([lax.code, lax.stdout, ct.runs(), ct.batch()], [0, 'deleted 1 connection\n', ['-R -'], ['-D -p udp -s 192.0.2.10 -d 192.0.2.11 --sport 5062 --dport 5060 -w 0']]);
});

test('--dry-run shows the matches as list does; colour only when forced, and --no-color wins', async () => {
  const args = ['--file', TABLE, '--dry-run', '--exact', ...TCP443];
  const env = { NO_COLOR: '', FORCE_COLOR: '1' };
  const [plain, forced, noColor] = await Promise.all([cli.run(args), cli.run(args, { env }), cli.run([...args, '--no-color'], { env })]);
  const ESC = '\u001b[';
  assert.deepStrictEqual([plain.code, plain.stdout.includes(ESC), forced.stdout.includes(ESC), noColor.stdout.includes(ESC)], [0, false, true, false]);
  assert.deepStrictEqual(noColor.stdout, plain.stdout);
  assert.deepStrictEqual(plain.stdout.split('\n').slice(-3), [
    '1 connection would be deleted by:',
    '  conntrack -D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443',
    '',
  ]);
  assert.match(plain.stdout, /│ tcp {3}│ ESTABLISHED │ 192\.0\.2\.10:33010 │ → │ 192\.0\.2\.11:443 │/);
});

test('--help lists exactly these flags, and every one was passed by a test above', async () => {
  const r = await runCli(['delete', '--help']);
  assert.equal(r.code, 0);
  assert.deepStrictEqual(helpFlags(r.stdout), [
    '--dry-run', '-y', '--yes', '--max',
    '--file', '--stdin', '--exec', '--conntrack-bin', '--strict',
    '--exact', '--icmp-type', '--icmp-code', '--icmp-id',
    '-p', '--proto', '--state', '-s', '--src', '-d', '--dst', '-r', '--reply-src', '-q', '--reply-dst', '--sport', '--dport',
    '--reply-port-src', '--reply-port-dst', '--port', '-m', '--mark', '-w', '--zone', '-u', '--status', '--snat', '--dnat', '--nat',
    '-f', '--family',
    '--json', '--no-color',
  ]);
  assert.deepStrictEqual(cli.unused(r.stdout), []);
});
