// Text fields through the CLI: UTF-8 in every format, control characters escaped in tables and
// text, JSON-escaped in JSON, and a control character in a key an unparseable line. The kernel
// prints no such line on demand, so these are real fixture lines with one field changed.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { DESTROY_EVENT, FTP_LINE, UNKNOWN_LINE, withField } from '../helpers/edge-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-text-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`, 'utf8');
  return path;
}

/** the FTP entry with helper=fé, and the untracked entry named fé (CSV's one free-text column is the protocol) */
const FE = file('fe.txt', [FTP_LINE.replace('helper=ftp', 'helper=fé'), UNKNOWN_LINE.replace('unknown', 'fé     ')]);
/** ESC, BEL and DEL in the helper and in an unknown field; then a control character in a protocol name, and in a key */
const CONTROL = file('control.txt', [
  withField(FTP_LINE.replace('helper=ftp', 'helper=f\x1b\x07\x7fp'), 'note=a\x1b[31mb'),
  UNKNOWN_LINE.replace('unknown', 'unk\x1bnown'),
  withField(FTP_LINE, 'note\x7f=1'),
]);
const SKIPPED = 'ctflow: skipped 2 unparseable lines (first at line 2)\n';

describe('helper=fé reads as fé in every format', () => {
  it('list --json and --ndjson', async () => {
    for (const format of ['--json', '--ndjson']) {
      const r = await runCli(['list', '--file', FE, format]);
      assert.equal(r.code, 0);
      const rows = (format === '--json' ? JSON.parse(r.stdout) : r.stdout.trim().split('\n').map((l) => JSON.parse(l))) as { protocol: string; helper: string | null }[];
      assert.deepStrictEqual(rows.map((x) => [x.protocol, x.helper]), [['tcp', 'fé'], ['fé', null]]);
      assert.ok(r.stdout.includes('"helper":"fé"'), 'UTF-8 as it is, as JSON.stringify writes it');
    }
  });

  it('list table and CSV', async () => {
    const table = await runCli(['list', '-n', '--file', FE, '--wide']);
    assert.deepStrictEqual(table.stdout.split('\n').slice(2, 4), [
      '│ tcp   │ ESTABLISHED │ 10.1.0.2:37982 │ → │ 10.1.0.1:21 │ 10.2.0.2:21 → 10.2.0.1:37982 │   31 │ 2.0 KiB │   4d23h │ A helper=fé │',
      '│ fé    │             │ fd00:a4::1     │ → │ fd00:a4::2  │                              │    1 │    80 B │   9m58s │ U           │',
    ]);
    const csv = await runCli(['list', '--file', FE, '--csv']);
    assert.deepStrictEqual(csv.stdout.split('\n').slice(1), [
      'ipv4,tcp,ESTABLISHED,431994,10.1.0.2,10.1.0.1,37982,21,17,990,10.2.0.2,10.2.0.1,21,37982,14,1054,true,false,false,0,0,both,31,2044',
      'ipv6,fé,,598,fd00:a4::1,fd00:a4::2,,,1,80,fd00:a4::2,fd00:a4::1,,,0,0,false,true,false,0,0,,1,80',
      '',
    ]);
  });
});

describe('control characters never reach the terminal', () => {
  it('list: escaped in the table, JSON-escaped in --json; lines with one in a key or name are skipped', async () => {
    const table = await runCli(['list', '-n', '--file', CONTROL, '--wide']);
    assert.equal(table.code, 0);
    assert.equal(table.stdout.split('\n')[2],
      '│ tcp   │ ESTABLISHED │ 10.1.0.2:37982 │ → │ 10.1.0.1:21 │ 10.2.0.2:21 → 10.2.0.1:37982 │   31 │ 2.0 KiB │   4d23h │ A helper=f\\x1b\\x07\\x7fp │');
    assert.equal(table.stdout.split('\n').length, 5);
    assert.equal(table.stderr, `${SKIPPED}1 connection from 1 entry\n`);

    const json = await runCli(['list', '--file', CONTROL, '--json']);
    // JSON.stringify's escapes: \u001b and \u0007; DEL is no JSON control character
    assert.ok(json.stdout.includes('"helper":"f\\u001b\\u0007\x7fp"'));
    assert.ok(json.stdout.includes('"extra":{"note":"a\\u001b[31mb"}'));
    assert.deepStrictEqual((JSON.parse(json.stdout) as { helper: string; extra: unknown }[]).map((x) => [x.helper, x.extra]), [['f\x1b\x07\x7fp', { note: 'a\x1b[31mb' }]]);
    assert.equal(json.stderr, SKIPPED);
  });

  it('list --strict: exit 1 at the first such line, its control characters escaped in the message', async () => {
    const bad = withField(UNKNOWN_LINE, 'no\x7fte=1');
    const r = await runCli(['list', '--file', file('strict.txt', [FTP_LINE, bad]), '--strict']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    // JSON.stringify leaves DEL as it is: the message escapes it too
    assert.equal(r.stderr, `ctflow: line 2 is not a conntrack entry: "${bad.replace('\x7f', '\\u007f')}"\n`);
  });

  it('watch: escaped in the text, JSON-escaped in --ndjson; an event with one in a key is skipped', async () => {
    const events = file('events.txt', [
      DESTROY_EVENT.replace(' id=', ' helper=f\x1b\x07\x7fp id=').replace('progname=conntrack', 'progname=con\x1b[8mtrack'),
      DESTROY_EVENT.replace(' id=', ' no\x1bte=1 id='),
    ]);
    const text = await runCli(['watch', '--file', events]);
    assert.equal(text.stdout,
      'DESTROY tcp  CLOSE       10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 5/368 B 3/3.1 KiB [ASSURED] helper=f\\x1b\\x07\\x7fp by con\\x1b[8mtrack\n');
    assert.equal(text.stderr.split('\n')[0], 'ctflow: skipped 1 unparseable line (first at line 2)');
    const json = await runCli(['watch', '--file', events, '--ndjson']);
    const e = JSON.parse(json.stdout) as { userspace: { progname: string }; conn: { helper: string } };
    assert.deepStrictEqual([e.userspace.progname, e.conn.helper], ['con\x1b[8mtrack', 'f\x1b\x07\x7fp']);
    assert.ok(json.stdout.includes('"progname":"con\\u001b[8mtrack"'));
  });

  it('top: the frame has no control character; lines with one in a key or name are skipped', async () => {
    const r = await runCli(['top', '--once', '--file', CONTROL, '--connections', '--wide']);
    assert.equal(r.code, 0);
    assert.deepStrictEqual(r.stdout.split('\n').slice(1), [
      '1 connections',
      '',
      'Proto    Connection                                 Conns     Bytes/s   Pkts/s      Bytes      Pkts',
      'tcp      10.1.0.2:37982 -> 10.1.0.1:21 ESTABLISHED      1           -        -    2.0 KiB        31',
      '',
    ]);
    assert.equal(r.stderr, SKIPPED);
  });
});
