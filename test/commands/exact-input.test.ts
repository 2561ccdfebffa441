// Issue 13, points 2 and 3 through the real CLI: a cut-off line is never an entry, whatever the
// source; values are checked against their fields; names this version does not know are kept
// and reported; a 64-bit counter reaches JSON, NDJSON and CSV exactly.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fixture, runCli, type CliResult } from '../helpers/cli.js';
import { zoneFiles } from '../helpers/zones.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-exact-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PROC = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').split('\n').filter(Boolean);
/** the entry whose reply tuple ends `dport=54352` (the issue's example cuts it to `dport=54`) */
const LINE = PROC[2]!;
const HEAD = `${PROC[0]}\n${PROC[1]}\n`;

let files = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `t${files++}`);
  writeFileSync(path, content, typeof content === 'string' ? 'latin1' : undefined);
  return path;
}

const result = (r: CliResult): [number | null, string, string] => [r.code, r.stdout, r.stderr];

test('a line cut inside the reply\'s dport=54 is skipped and counted from a file, stdin and gzip; --strict stops at it', async () => {
  const cut = HEAD + LINE.slice(0, LINE.lastIndexOf('dport=54352') + 'dport=54'.length);
  const whole = await runCli(['list', '--json', '--file', file(HEAD)]);
  assert.equal(JSON.parse(whole.stdout).length, 2);
  const skipped = 'ctflow: skipped 1 unparseable line (first at line 3; the input ended inside line 3, which is cut off)\n';
  const got = await Promise.all([
    runCli(['list', '--json', '--file', file(cut)]),
    runCli(['list', '--json', '--stdin'], { stdin: Buffer.from(cut, 'latin1') }),
    runCli(['list', '--json', '--file', file(gzipSync(Buffer.from(cut, 'latin1')))]),
  ]);
  for (const r of got) assert.deepStrictEqual(result(r), [0, whole.stdout, skipped]);
  const strict = await runCli(['list', '--json', '--strict', '--file', file(cut)]);
  assert.deepStrictEqual(result(strict), [1, '',
    `ctflow: line 3 is not a conntrack entry (cut off: the input ended inside it, before its newline): ${JSON.stringify(cut.split('\n')[2])}\n`]);
  // the same cut line ended by a newline, with the table going on after it
  const glued = await runCli(['list', '--json', '--strict', '--file', file(`${cut}\n${PROC.slice(3).join('\n')}\n`)]);
  assert.deepStrictEqual(result(glued), [1, '',
    `ctflow: line 3 is not a conntrack entry (cut off: no use=N field, which every table line has): ${JSON.stringify(cut.split('\n')[2])}\n`]);
});

test('a gzip cut short gives the entries it held, and its cut line is skipped like any other source\'s', async () => {
  const gz = gzipSync(Buffer.from(`${PROC.join('\n')}\n`, 'latin1'));
  const r = await runCli(['list', '--ndjson', '--sort', 'src', '--file', file(gz.subarray(0, gz.length >> 1))]);
  const rows = r.stdout.split('\n').filter(Boolean);
  assert.equal(r.code, 0);
  assert.equal(rows.length, 13);
  assert.equal(r.stderr, `ctflow: ${join(dir, `t${files - 1}`)}: the gzip data ends early (truncated); read what it held\n` +
    'ctflow: skipped 1 unparseable line (first at line 14; the input ended inside line 14, which is cut off)\n');
});

test('the CLI: a /proc line cut at every 12th byte, and an -o id line cut after use=N, as a file\'s last line, are counted skips', async () => {
  // (every byte of every capture line is cut in test/parse/cut-lines.test.ts, through the reader)
  const withId = readFileSync(fixture('nat-router/conntrack_L_o_id.txt'), 'latin1').split('\n')[0]!;
  const whole = (await runCli(['list', '--ndjson', '--file', file(HEAD)])).stdout;
  const cases: Array<[string, number]> = [];
  for (let k = 1; k < LINE.length; k += 12) cases.push([LINE, k]);
  // the -o id line cut just after use=1 and inside its trailing id= (cuts no parser could see)
  cases.push([withId, withId.indexOf(' id=')], [withId, withId.length - 3]);
  assert.equal(cases.length, 21);
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(cases.slice(i, i + 4).map(async ([line, k]) => {
      const r = await runCli(['list', '--ndjson', '--file', file(HEAD + line.slice(0, k))]);
      assert.deepStrictEqual(result(r), [0, whole,
        'ctflow: skipped 1 unparseable line (first at line 3; the input ended inside line 3, which is cut off)\n'], `cut at ${k}`);
    }));
  }
});

test('a value out of its field is a counted skip, and --strict names the rule', async () => {
  const bad = [
    LINE.replace('sport=54352', 'sport=65536'),
    PROC[6]!.replace('id=11505', 'id=70000'),
    LINE.replace('use=2', 'use=4294967296'),
    LINE.replace('tcp      6', 'tcp      119'),
    LINE.replace('bytes=228', 'bytes=18446744073709551616'),
  ];
  const text = `${bad.join('\n')}\n${PROC[0]}\n`;
  const lenient = await runCli(['list', '--ndjson', '--file', file(text)]);
  assert.deepStrictEqual([lenient.code, lenient.stdout.split('\n').filter(Boolean).length, lenient.stderr],
    [0, 1, 'ctflow: skipped 5 unparseable lines (first at line 1)\n']);
  const reasons = await Promise.all(bad.map((line) => runCli(['list', '--strict', '--file', file(`${line}\n`)])));
  assert.deepStrictEqual(reasons.map((r) => [r.code, r.stderr.slice(0, r.stderr.indexOf(': "'))]), [
    [1, 'ctflow: line 1 is not a conntrack entry (sport must be 0–65535, got 65536)'],
    [1, 'ctflow: line 1 is not a conntrack entry (id must be 0–65535, got 70000)'],
    [1, 'ctflow: line 1 is not a conntrack entry (use must be 0–4294967295, got 4294967296)'],
    [1, 'ctflow: line 1 is not a conntrack entry (protocol tcp is number 6, got 119)'],
    [1, 'ctflow: line 1 is not a conntrack entry (bytes must be 0–18446744073709551615, got 18446744073709551616)'],
  ]);
});

test('entries with an unknown state or protocol name are kept, and reported once each with their count', async () => {
  const foo = LINE.replace('ESTABLISHED', 'FOO');
  const unknown = readFileSync(fixture('proto-zoo/proc_nf_conntrack.txt'), 'latin1').split('\n').find((l) => l.includes('unknown  253'))!;
  const text = [foo, PROC[0], foo, unknown.replace('unknown  253', 'bogus    253'), foo, PROC[1]].join('\n') + '\n';
  const r = await runCli(['list', '--ndjson', '--file', file(text)]);
  const rows = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { protocol: string; state: string | null });
  assert.deepStrictEqual(rows.map((c) => `${c.protocol} ${c.state}`).sort(), ['bogus null', 'tcp FOO', 'tcp FOO', 'tcp FOO', 'udp null', 'udp null']);
  assert.deepStrictEqual([r.code, r.stderr], [0,
    'ctflow: 3 entries with unknown state "FOO" for tcp (kept)\nctflow: 1 entry with unknown protocol "bogus" (kept)\n']);
  // the same through the parallel reader: a pipe past 4 MB is handed over to a worker, whose
  // counts come back and are added
  const parallel = await runCli(['list', '--ndjson', '--stdin'], { stdin: Buffer.from(text.repeat(5000), 'latin1'), env: { CTFLOW_WORKERS: '1' } });
  assert.equal(parallel.stderr, 'ctflow: 15000 entries with unknown state "FOO" for tcp (kept)\nctflow: 5000 entries with unknown protocol "bogus" (kept)\n');
});

test('a counter of 18446744073709551615 reaches list --json, --ndjson, --csv and --zones output exactly', async () => {
  const big = LINE.replace('packets=4 bytes=228', 'packets=4 bytes=18446744073709551615');
  const [plain, huge] = [file(`${PROC.join('\n')}\n`), file(`${PROC.map((l) => (l === LINE ? big : l)).join('\n')}\n`)];
  /** what the whole table printed, with LINE's original bytes and bytes_total as they must be */
  const exact = (text: string): string => text
    .replace('"bytes":228,"zone":null},"reply":{"src":"10.1.0.1"', '"bytes":18446744073709551615,"zone":null},"reply":{"src":"10.1.0.1"')
    .replace('"packets_total":7,"bytes_total":456', '"packets_total":7,"bytes_total":18446744073709551843');
  for (const format of [['--json', '--sort', 'src'], ['--ndjson'], ['--json', '--sort', 'src', '--zones', zoneFiles().zones]]) {
    const [before, after] = await Promise.all([runCli(['list', ...format, '--file', plain]), runCli(['list', ...format, '--file', huge])]);
    assert.equal(before.code, 0);
    assert.notEqual(exact(before.stdout), before.stdout);
    assert.deepStrictEqual(result(after), [0, exact(before.stdout), ''], format.join(' '));
  }
  const csv = await runCli(['list', '--csv', '--sort', 'src', '--file', huge]);
  assert.ok(csv.stdout.includes('\nipv4,tcp,ESTABLISHED,431994,10.1.0.2,10.1.0.1,54352,2200,4,18446744073709551615,10.1.0.1,10.1.0.2,2200,54352,3,228,' +
    'true,false,false,0,0,,7,18446744073709551843\n'), csv.stdout);
  // the top of --sort bytes is the entry with the biggest counter
  const top = await runCli(['list', '--sort', 'bytes', '--limit', '25', '--json', '--file', huge]);
  assert.ok(top.stdout.startsWith('[\n{"family":"ipv4","protocol":"tcp","protonum":6,"state":"ESTABLISHED","timeout":431994,' +
    '"original":{"src":"10.1.0.2","dst":"10.1.0.1","sport":54352,"dport":2200,"icmp_type":null,"icmp_code":null,"icmp_id":null,' +
    '"gre_srckey":null,"gre_dstkey":null,"packets":4,"bytes":18446744073709551615,'), top.stdout.slice(0, 300));
});

test('flows and stats say when a traffic sum passes 2^53 − 1, and only then', async () => {
  const big = LINE.replace('packets=4 bytes=228', 'packets=4 bytes=18446744073709551615');
  const [plain, huge] = [file(`${PROC.join('\n')}\n`), file(`${PROC.map((l) => (l === LINE ? big : l)).join('\n')}\n`)];
  const note = 'ctflow: traffic sums above 2^53 − 1 (9007199254740991) are rounded to 16 significant digits\n';
  const got = await Promise.all([
    runCli(['flows', '-n', '--json', '--local', '10.1.0.1', '--file', plain]),
    runCli(['flows', '-n', '--json', '--local', '10.1.0.1', '--file', huge]),
    runCli(['stats', '--json', '--file', plain]),
    runCli(['stats', '--json', '--file', huge]),
  ]);
  assert.deepStrictEqual(got.map((r) => [r.code, r.stderr]), [[0, ''], [0, note], [0, ''], [0, note]]);
});
