// Errors read the same whichever command gives them: one line each (commander's suggestion on
// the line of the mistake), one sentence for a missing conntrack binary, a missing --zones or
// --mark-map file worded as a missing --file, an unknown zone name refused (exit 2), flush with
// nothing to flush said and exit 3 without a question, and watch --help's --exec-args example
// accepted by the real conntrack -E.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { fakeConntrack } from '../helpers/fake-conntrack.js';
import { createNetns, deleteNetns, netnsUnavailable } from '../helpers/netns.js';
import { zoneFiles } from '../helpers/zones.js';

const ROUTER = fixture('nat-router/proc_nf_conntrack.txt');
const dir = mkdtempSync(join(tmpdir(), 'ctflow-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a mistyped option', () => {
  const cases: [string[], string][] = [
    [['list', '--sortt', 'bytes'], "ctflow: unknown option '--sortt' (did you mean --sort?)\n"],
    [['--limt', '3'], "ctflow: unknown option '--limt' (did you mean --limit?)\n"],
    [['watch', '--ndjsn'], "ctflow: unknown option '--ndjsn' (did you mean --ndjson?)\n"],
    [['stats', '--intervall', '1'], "ctflow: unknown option '--intervall' (did you mean --interval?)\n"],
    [['list', '--xyzzy'], "ctflow: unknown option '--xyzzy'\n"],
  ];
  for (const [args, stderr] of cases) {
    it(`ctflow ${args.join(' ')}: one line, with the suggestion, exit 2`, async () => {
      const r = await runCli(args);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', stderr]);
    });
  }
});

describe('a missing conntrack binary', () => {
  const table = fixture('inserted/proc_nf_conntrack.txt');
  const sentence = (bin: string): string =>
    `cannot run ${bin}: not found; install conntrack-tools (apt-get install conntrack), or name the binary with --conntrack-bin`;
  const noConntrack = { env: { PATH: join(dir, 'nothing') } };
  const commands: string[][] = [
    ['list', '--exec'], ['flows', '--exec'], ['stats', '--exec'], ['protocols', '--exec'], ['top', '--once', '--exec'],
    ['watch', '--duration', '1'], ['delete', '-s', '10.99.0.1', '--yes', '--file', table], ['update', '-s', '10.99.0.1', '--set-mark', '1', '--yes'],
    ['flush', '--yes'],
  ];
  for (const args of commands) {
    it(`ctflow ${args.join(' ')}: the one sentence, exit 1`, async () => {
      const r = await runCli(args, noConntrack);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [1, '', `ctflow: ${sentence('conntrack')}\n`]);
      const named = await runCli([...args, '--conntrack-bin', join(dir, 'no-conntrack')]);
      assert.deepStrictEqual([named.code, named.stdout, named.stderr], [1, '', `ctflow: ${sentence(join(dir, 'no-conntrack'))}\n`]);
    });
  }

  it('ctflow api delete: the same sentence in its JSON error', async () => {
    const r = await runCli(['api', 'delete'], { ...noConntrack, stdin: '{"action":"flush"}' });
    assert.equal(r.code, 1);
    assert.deepStrictEqual(JSON.parse(r.stdout), { type: 'Error', message: sentence('conntrack') });
  });
});

describe('a file that is not there', () => {
  const missing = join(dir, 'no-such-file');
  const words = `ctflow: cannot read ${missing}: no such file\n`;
  const cases: string[][] = [
    ['list', '--file', missing], ['list', '--file', ROUTER, '--zones', missing], ['list', '--file', ROUTER, '--mark-map', missing],
    ['flows', '--file', ROUTER, '-z', missing], ['top', '--once', '--file', ROUTER, '--zones', missing], ['watch', '--file', fixture('nat-router/events_E.txt'), '--zones', missing],
  ];
  for (const args of cases) {
    it(`ctflow ${args.join(' ').replaceAll(dir, 'DIR')}: worded as --file's, exit 1`, async () => {
      const r = await runCli(args);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [1, '', words]);
    });
  }
});

describe('a zone name no zone has', () => {
  const f = zoneFiles();
  const names = 'clients, servers, web, router, external';
  const cases: [string[], string][] = [
    [['list', '--file', ROUTER, '--zones', f.zones, '--src-zone', 'client'], `ctflow: --src-zone: expected a zone name, one of ${names}, got "client"\n`],
    [['top', '--once', '--file', ROUTER, '--zones', f.zonesJson, '--dst-zone', 'www'], `ctflow: --dst-zone: expected a zone name, one of ${names}, got "www"\n`],
    [['watch', '--file', fixture('nat-router/events_E.txt'), '-z', f.zones, '--src-zone', 'Servers'], `ctflow: --src-zone: expected a zone name, one of ${names}, got "Servers"\n`],
  ];
  for (const [args, stderr] of cases) {
    it(`ctflow ${args[0]} ${args.slice(-2).join(' ')}: a usage error naming the zones, exit 2`, async () => {
      const r = await runCli(args);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', stderr]);
    });
  }

  it('a zone that exists but matches nothing is still an empty answer, exit 0', async () => {
    const r = await runCli(['list', '--file', ROUTER, '--zones', f.zones, '--src-zone', 'web', '--dst-zone', 'clients', '--json']);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, '[]\n', '']);
  });
});

describe('flush with nothing to flush', () => {
  const empty = join(dir, 'empty-table');
  writeFileSync(empty, '');

  it('says so and exits 3 without asking (no --yes, no terminal) and without running conntrack', async () => {
    const ct = fakeConntrack(dir);
    const [all, json] = await Promise.all([
      runCli(['flush', '--file', empty, '--conntrack-bin', ct.bin]),
      runCli(['flush', '--file', empty, '--conntrack-bin', ct.bin, '--json', '-f', 'ipv6']),
    ]);
    assert.deepStrictEqual([all.code, all.stdout, all.stderr], [3, '', 'ctflow: flush: no connections in the table, nothing changed\n']);
    assert.deepStrictEqual([json.code, json.stdout, json.stderr], [3, '{"flushed":0,"family":"ipv6"}\n', 'ctflow: flush: no ipv6 connections in the table, nothing changed\n']);
    assert.deepStrictEqual(ct.runs(), []);
  });

  it('--dry-run of an empty table exits 3 too; --yes where conntrack deletes none says so, exit 3', async () => {
    const none = fakeConntrack(dir, { count: 0 });
    const [dry, yes] = await Promise.all([
      runCli(['flush', '--file', empty, '--dry-run']),
      runCli(['flush', '--yes', '-f', 'ipv6', '--conntrack-bin', none.bin]),
    ]);
    assert.deepStrictEqual([dry.code, dry.stdout, dry.stderr], [3, '0 connections would be flushed by:\n  conntrack -F\n', '']);
    assert.deepStrictEqual([yes.code, yes.stdout, yes.stderr], [3, '', 'ctflow: flush: no ipv6 connections in the table, nothing changed\n']);
    assert.deepStrictEqual(none.runs(), ['-D -f ipv6']);
  });
});

describe("watch --help's --exec-args example", () => {
  it('is accepted by the real conntrack -E (in a private namespace)', { skip: netnsUnavailable() }, async () => {
    const help = (await runCli(['watch', '--help'])).stdout.replace(/\n {10,}/g, ' ');
    const example = /--exec-args <args> .*\(e\.g\. "([^"]+)"\)/.exec(help)?.[1];
    assert.equal(example, '--orig-zone 3');
    // the Examples section uses the same arguments
    assert.ok(help.includes(`ctflow watch --exec-args "${example}"`));
    const ns = createNetns('exec-args');
    try {
      const r = await runCli(['watch', '--exec-args', example!, '--duration', '1'], { netns: ns });
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, '', 'ctflow: 0 events seen (0 new, 0 update, 0 destroy), 0 shown, 0 losses reported by conntrack (ENOBUFS)\n']);
    } finally {
      deleteNetns(ns);
    }
  });
});
