import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFilter } from '../../src/filter/compile-filter.js';
import { filterFrom } from '../../src/commands/options.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { fixture, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-top-'));
const PROC = fixture('nat-router/proc_nf_conntrack.txt');
const conns = readFileSync(PROC, 'utf8').split('\n').filter((l) => l !== '').map((l) => parseConnLine(l)!);
const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);

describe('ctflow top, plain frames', () => {
  it('prints one frame with --once: header, totals, column header, rows by bytes (no rates yet)', async () => {
    const r = await runCli(['top', '--once', '--file', PROC, '--limit', '2']);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^ctflow top {2}\d\d:\d\d:\d\d {2}every 2s {2}flows {2}sort rate desc$/);
    assert.deepStrictEqual(lines.slice(1), [
      '32 flows, 34 connections',
      '',
      'PROTO  FLOW                                                              CONNS     BYTES/S   PKTS/S      BYTES   PACKETS',
      'tcp    10.1.0.2 ==> 10.2.0.2:80                                              2           -        -     68 KiB        34',
      'tcp    10.1.0.2 ==> 10.2.0.2:8000                                            2           -        -     23 KiB        29',
      '',
    ]);
    assert.equal(r.stderr, '');
  });

  it('prints N frames with --iterations, --interval apart; the second has rates (0 for a file)', async () => {
    const r = await runCli(['top', '--iterations', '2', '--interval', '0.2', '--file', PROC, '--limit', '1', '--connections', '--sort', 'packets']);
    const frames = r.stdout.split('\n\nctflow top');
    assert.equal(frames.length, 2);
    assert.match(frames[0]!, /every 0\.2s {2}connections {2}sort packets desc\n34 connections\n/);
    assert.match(frames[1]!, /\n34 connections {2}total 0 B\/s 0\.0 pkt\/s\n/);
    assert.match(frames[1]!, /\ntcp    10\.1\.0\.2:37982 -> 10\.1\.0\.1:21 ESTABLISHED +1 +0 B\/s +0\.0 +2\.0 KiB +31\n$/);
  });

  it('writes NDJSON rows and a total per frame; rates are null on frame 1 and numbers on frame 2', async () => {
    const r = await runCli(['top', '--iterations', '2', '--interval', '0.1', '--ndjson', '--file', PROC, '-p', 'udp']);
    const rows = ndjson(r.stdout);
    assert.deepStrictEqual(rows.map((x) => [x.frame, x.type]), [
      ...[1, 2].flatMap((f) => [...Array(7).fill([f, 'flow']), [f, 'total']]),
    ]);
    const dns = rows.find((x) => x.frame === 1 && x.dport === 53 && x.src === '10.1.0.2')!;
    assert.deepStrictEqual(
      [dns.protocol, dns.dst, dns.sport, dns.conns, dns.packets, dns.bytes, dns.bytes_per_sec, dns.packets_per_sec],
      ['udp', '10.2.0.2', null, 1, 4, 280, null, null],
    );
    const total2 = rows.at(-1)!;
    assert.deepStrictEqual([total2.rows, total2.conns, total2.bytes_per_sec, total2.orig_bytes_per_sec, total2.table_count], [7, 7, 0, 0, null]);
  });

  it('--reverse puts the smallest first', async () => {
    const r = await runCli(['top', '--once', '--ndjson', '--file', PROC, '--sort', 'bytes', '--reverse', '--limit', '1', '--connections']);
    assert.deepStrictEqual(ndjson(r.stdout).map((x) => [x.type, x.bytes]), [['connection', 60], ['total', null]].map(([t, b]) => (t === 'total' ? [t, 146007] : [t, b])));
  });

  it('reads --stdin once, as one frame', async () => {
    const r = await runCli(['top', '--stdin', '--ndjson', '--limit', '1'], { stdin: readFileSync(PROC) });
    assert.deepStrictEqual(ndjson(r.stdout).map((x) => [x.frame, x.type, x.conns]), [[1, 'flow', 2], [1, 'total', 34]]);
  });

  it('reads `conntrack -L` with --exec and --conntrack-bin', async () => {
    const bin = join(dir, 'conntrack');
    writeFileSync(bin, `#!/bin/sh\ncat "${fixture('nat-router/conntrack_L_o_extended.txt')}"\n`);
    chmodSync(bin, 0o755);
    const r = await runCli(['top', '--once', '--ndjson', '--exec', '--conntrack-bin', bin, '--limit', '1']);
    assert.equal(ndjson(r.stdout).at(-1)!.conns, 34);
  });

  it('stops at a bad line with --strict (exit 1), skips it with a note otherwise', async () => {
    const path = join(dir, 'bad.txt');
    writeFileSync(path, `garbage\n${readFileSync(PROC, 'utf8')}`);
    const strict = await runCli(['top', '--once', '--file', path, '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /^ctflow: line 1 is not a conntrack entry/);
    const lax = await runCli(['top', '--once', '--ndjson', '--file', path]);
    assert.equal(lax.stderr, 'ctflow: skipped 1 unparseable line (first at line 1)\n');
    assert.equal(ndjson(lax.stdout).at(-1)!.conns, 34);
  });

  it('applies every list filter, in each spelling, exactly as list does', async () => {
    const cases: Array<[string[], Record<string, unknown>]> = [
      [['-p', 'tcp'], { proto: 'tcp' }], [['--proto', 'udp'], { proto: 'udp' }],
      [['--state', 'TIME_WAIT'], { state: 'TIME_WAIT' }],
      [['-s', '10.1.0.0/24'], { src: '10.1.0.0/24' }], [['--src', 'fd00:a1::2'], { src: 'fd00:a1::2' }],
      [['-d', '10.2.0.3'], { dst: '10.2.0.3' }], [['--dst', '10.1.0.1'], { dst: '10.1.0.1' }],
      [['-r', '10.2.0.2'], { replySrc: '10.2.0.2' }], [['--reply-src', 'fd00:a2::3'], { replySrc: 'fd00:a2::3' }],
      [['-q', '10.1.0.2'], { replyDst: '10.1.0.2' }], [['--reply-dst', '10.2.0.1'], { replyDst: '10.2.0.1' }],
      [['--sport', '43426'], { sport: '43426' }], [['--dport', '80'], { dport: '80' }],
      [['--reply-port-src', '80'], { replyPortSrc: '80' }], [['--reply-port-dst', '38040'], { replyPortDst: '38040' }],
      [['--port', '53'], { port: '53' }],
      [['-m', '23552'], { mark: '23552' }], [['--mark', '0x1/0xff'], { mark: '0x1/0xff' }],
      [['-w', '42'], { zone: '42' }], [['--zone', '0'], { zone: '0' }],
      [['-u', 'UNREPLIED'], { status: 'UNREPLIED' }], [['--status', 'ASSURED'], { status: 'ASSURED' }],
      [['--snat'], { snat: true }], [['--dnat'], { dnat: true }], [['--nat'], { nat: true }],
      [['-f', 'ipv6'], { family: 'ipv6' }], [['--family', 'ipv4'], { family: 'ipv4' }],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['top', '--once', '--ndjson', '--file', PROC, '--connections', ...args])));
    cases.forEach(([args, flags], i) => {
      const expected = conns.filter(compileFilter(filterFrom(flags as never))).length;
      assert.ok(expected > 0, `${args.join(' ')} matches something`);
      assert.equal(ndjson(results[i]!.stdout).at(-1)!.conns, expected, args.join(' '));
    });
  });

  it('refuses bad values with exit 2', async () => {
    for (const args of [['--sort', 'speed'], ['--interval', '0'], ['--iterations', '0'], ['--limit', 'x'], ['--dport', '70000']]) {
      const r = await runCli(['top', '--once', '--file', PROC, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^ctflow: --(sort|interval|iterations|limit|dport): /);
    }
  });

  it('colours the title unless --no-color', async () => {
    const env = { NO_COLOR: '', FORCE_COLOR: '1' };
    const coloured = await runCli(['top', '--once', '--file', PROC, '--limit', '1'], { env });
    assert.match(coloured.stdout, /^\x1b\[1mctflow top\x1b\[22m/);
    const plain = await runCli(['top', '--once', '--file', PROC, '--limit', '1', '--no-color'], { env });
    assert.match(plain.stdout, /^ctflow top {2}/);
  });
});
