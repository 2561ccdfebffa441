// `ctflow flush` through the real CLI with no root: the count comes from the inserted/ fixture
// (29 entries, 3 IPv6) via --file, --stdin or --exec, the flush goes to a fake conntrack.
// The terminal prompt is tested in change-tty.test.ts. The last test checks that every flag
// --help lists was passed by some test in this file.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { fakeConntrack } from '../helpers/fake-conntrack.js';
import { helpFlags, OptionCoverage } from '../helpers/option-coverage.js';

const TABLE = fixture('inserted/proc_nf_conntrack.txt');
const dir = mkdtempSync(join(tmpdir(), 'ctflow-flush-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = new OptionCoverage('flush');

test('--dry-run shows the count and the command (per family: conntrack -D -f), as text and --json', async () => {
  const cases: Array<[string[], string]> = [
    [['--dry-run'], '29 connections would be flushed by:\n  conntrack -F\n'],
    [['--dry-run', '-f', 'ipv6'], '3 ipv6 connections would be flushed by:\n  conntrack -D -f ipv6\n'],
    [['--dry-run', '--family', 'inet'], '26 ipv4 connections would be flushed by:\n  conntrack -D -f ipv4\n'],
    [['--dry-run', '--json'], '{"dry_run":true,"count":29,"would_run":["conntrack -F"]}\n'],
    [['--dry-run', '--json', '--family', '6', '--yes'], '{"dry_run":true,"count":3,"would_run":["conntrack -D -f ipv6"]}\n'],
  ];
  const got = await Promise.all(cases.map(async ([flags]) => {
    const r = await cli.run([...flags, '--file', TABLE]);
    return [flags.join(' '), r.code, r.stdout, r.stderr];
  }));
  assert.deepStrictEqual(got, cases.map(([flags, out]) => [flags.join(' '), 0, out, '']));
});

test('--yes/-y flushes with one conntrack run and reports it, as text and --json', async () => {
  const whole = fakeConntrack(dir);
  const v6 = fakeConntrack(dir, { count: 3 });
  const results = await Promise.all([
    cli.run(['--yes', '--conntrack-bin', whole.bin]),
    cli.run(['-y', '--json', '--conntrack-bin', whole.bin]),
    cli.run(['-y', '-f', 'ipv6', '--conntrack-bin', v6.bin]),
    cli.run(['--yes', '--family', 'ipv6', '--json', '--conntrack-bin', v6.bin]),
  ]);
  assert.deepStrictEqual(results.map((r) => [r.code, r.stdout, r.stderr]), [
    [0, 'flushed the whole table\n', ''],
    [0, '{"flushed":null,"family":null}\n', ''],
    [0, 'flushed 3 ipv6 connections\n', ''],
    [0, '{"flushed":3,"family":"ipv6"}\n', ''],
  ]);
  assert.deepStrictEqual([whole.runs(), v6.runs()], [['-F', '-F'], ['-D -f ipv6', '-D -f ipv6']]);
});

test('without --yes and without a terminal it refuses (exit 1) and runs nothing; bad --family is exit 2', async () => {
  const ct = fakeConntrack(dir);
  const [all, v6, bad] = await Promise.all([
    cli.run(['--file', TABLE, '--conntrack-bin', ct.bin]),
    cli.run(['--file', TABLE, '--conntrack-bin', ct.bin, '-f', 'ipv6', '--json']),
    cli.run(['--yes', '--conntrack-bin', ct.bin, '-f', 'ipx']),
  ]);
  assert.deepStrictEqual([all, v6, bad].map((r) => [r.code, r.stdout, r.stderr]), [
    [1, '', 'ctflow: flush 29 connections: stdin is not a terminal, so nothing was changed; add --yes to confirm\n'],
    [1, '', 'ctflow: flush 3 ipv6 connections: stdin is not a terminal, so nothing was changed; add --yes to confirm\n'],
    [2, '', 'ctflow: --family: expected ipv4 or ipv6, got "ipx"\n'],
  ]);
  assert.deepStrictEqual(ct.runs(), []);
});

test('conntrack failing (not root) is exit 1 with its words quoted', async () => {
  const ct = fakeConntrack(dir, { fail: 'Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this' });
  const r = await cli.run(['--yes', '--conntrack-bin', ct.bin]);
  assert.deepStrictEqual([r.code, r.stdout, r.stderr], [1, '', `ctflow: changing the conntrack table needs root (CAP_NET_ADMIN): ${ct.bin} said "conntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this"; run ctflow with sudo\n`]);
});

test('counts from --stdin, --file -, --exec (by --conntrack-bin and on PATH); --strict stops at a bad line', async () => {
  const table = readFileSync(TABLE);
  const ct = fakeConntrack(dir);
  const onPath = fakeConntrack(dir);
  const broken = join(dir, 'broken.txt');
  writeFileSync(broken, `${table.toString('utf8').split('\n').slice(0, 4).join('\n')}\nnot a conntrack line\n`);
  const args = ['--dry-run', '--json', '-f', 'ipv6'];
  const results = await Promise.all([
    cli.run([...args, '--stdin'], { stdin: table }),
    cli.run([...args, '--file', '-'], { stdin: table }),
    cli.run([...args, '--exec', '--conntrack-bin', ct.bin]),
    cli.run([...args, '--exec'], { env: { PATH: `${onPath.dir}:${process.env.PATH}` } }),
    cli.run([...args, '--file', broken]),
    cli.run([...args, '--file', broken, '--strict']),
  ]);
  const out = (n: number, bin = 'conntrack'): string => `{"dry_run":true,"count":${n},"would_run":["${bin} -D -f ipv6"]}\n`;
  assert.deepStrictEqual(results.map((r) => [r.code, r.stdout, r.stderr]), [
    [0, out(3), ''], [0, out(3), ''], [0, out(3, ct.bin), ''], [0, out(3), ''], [0, out(1), ''],
    [1, '', 'ctflow: line 5 is not a conntrack entry: "not a conntrack line"\n'],
  ]);
  // the count reads the whole table (-L) and counts the family itself
  assert.deepStrictEqual([ct.runs(), onPath.runs()], [['-L -o extended'], ['-L -o extended']]);
});

test('--help lists exactly these flags, and every one was passed by a test above', async () => {
  const r = await runCli(['flush', '--help']);
  assert.equal(r.code, 0);
  assert.deepStrictEqual(helpFlags(r.stdout), ['-y', '--yes', '--dry-run', '--file', '--stdin', '--exec', '--conntrack-bin', '--strict', '-f', '--family', '--json']);
  assert.deepStrictEqual(cli.unused(r.stdout), []);
});
