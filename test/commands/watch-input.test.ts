// What watch does with input that is not events: every reader reports the lines it could not
// read (DESIGN.md), so a /proc table, an `-o xml` capture or a stray line is counted and reported
// once on stderr as list reports its own (`ctflow: skipped N unparseable lines (first at line K)`),
// and `--strict` makes the first one fatal (exit 1, its number and text). conntrack's own chatter,
// kept in a capture made with `2>&1`, is not unparseable: blank lines, the NOTICE about the
// buffer, the advice after an ENOBUFS warning (the warning itself is a lost-events report), the
// "N flow events have been shown." trailer.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { alive, startCli } from '../helpers/live.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-watch-input-'));
const EVENTS = fixture('nat-router/events_E.txt');
const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
const events = readFileSync(EVENTS, 'utf8').split('\n').filter((l) => l !== '');
const NONE = 'ctflow: 0 events seen (0 new, 0 update, 0 destroy), 0 shown, 0 losses reported by conntrack (ENOBUFS)\n';
const ALL = 'ctflow: 31 events seen (7 new, 21 update, 3 destroy), 31 shown, 0 losses reported by conntrack (ENOBUFS)\n';

function write(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** `conntrack -E > capture 2>&1` on a busy box: events with conntrack's stderr in between, and one stray line (line 9). */
const CHATTY = [
  'NOTICE: Netlink socket buffer size has been set to 2097152 bytes.',
  events[0]!,
  events[1]!,
  'WARNING: We have hit ENOBUFS! We are losing events.',
  'This message means that the current netlink socket buffer size is too small.',
  'Please, check --buffer-size in conntrack(8) manpage.',
  '',
  events[2]!,
  'not an event at all',
  ...events.slice(3),
  'conntrack v1.4.7 (conntrack-tools): 31 flow events have been shown.',
];
const LOSING = 'ctflow: conntrack is losing events (ENOBUFS: its netlink buffer overflowed); a larger --buffer-size helps\n';

describe('watch on input that is not events', () => {
  it('reports a /proc table and an -o xml capture as unparseable lines, exit 0', async () => {
    const proc = await runCli(['watch', '--file', fixture('nat-router/proc_nf_conntrack.txt')]);
    assert.deepStrictEqual([proc.code, proc.stdout, proc.stderr], [0, '', `ctflow: skipped 34 unparseable lines (first at line 1)\n${NONE}`]);
    const xml = await runCli(['watch', '--file', fixture('nat-router/events_E_o_xml.xml'), '--ndjson']);
    assert.deepStrictEqual([xml.code, xml.stdout, xml.stderr], [0, '', `ctflow: skipped 34 unparseable lines (first at line 1)\n${NONE}`]);
  });

  it('reports expectation events (conntrack -E expect): watch shows connection events', async () => {
    const r = await runCli(['watch', '--file', fixture('nat-router/events_E_expect.txt')]);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, '', `ctflow: skipped 2 unparseable lines (first at line 1)\n${NONE}`]);
  });

  it('--strict stops at the first such line: exit 1, its number and text, nothing else on stderr', async () => {
    const xml = await runCli(['watch', '--file', fixture('nat-router/events_E_o_xml.xml'), '--strict']);
    assert.deepStrictEqual([xml.code, xml.stdout, xml.stderr], [1, '', 'ctflow: line 1 is not a connection event: "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>"\n']);
  });

  it("does not count conntrack's own chatter; counts the stray line with its line number", async () => {
    const path = write('chatty.txt', CHATTY);
    const r = await runCli(['watch', '--file', path, '--ndjson']);
    assert.equal(r.code, 0);
    assert.deepStrictEqual(ndjson(r.stdout).map((e) => e.event).slice(0, 5), ['new', 'update', 'lost', 'update', 'update']);
    assert.equal(ndjson(r.stdout).length, 32);
    assert.equal(
      r.stderr,
      LOSING + 'ctflow: skipped 1 unparseable line (first at line 9)\n' +
        'ctflow: 31 events seen (7 new, 21 update, 3 destroy), 31 shown, 1 losses reported by conntrack (ENOBUFS)\n',
    );
    // without the stray line the same capture is clean, also with --strict
    const clean = write('clean.txt', CHATTY.filter((l) => l !== 'not an event at all'));
    const strict = await runCli(['watch', '--file', clean, '--strict', '--ndjson']);
    assert.deepStrictEqual([strict.code, ndjson(strict.stdout).length], [0, 32]);
    assert.equal(strict.stderr, `${LOSING}ctflow: 31 events seen (7 new, 21 update, 3 destroy), 31 shown, 1 losses reported by conntrack (ENOBUFS)\n`);
  });

  it('--strict on a capture with a stray line keeps the events before it, then fails (also from --stdin)', async () => {
    const path = write('chatty-strict.txt', CHATTY);
    const r = await runCli(['watch', '--file', path, '--ndjson', '--strict']);
    assert.equal(r.code, 1);
    assert.deepStrictEqual(ndjson(r.stdout).map((e) => e.event), ['new', 'update', 'lost', 'update']);
    assert.equal(r.stderr, `${LOSING}ctflow: line 9 is not a connection event: "not an event at all"\n`);
    const piped = await runCli(['watch', '--stdin', '--strict'], { stdin: readFileSync(path) });
    assert.deepStrictEqual([piped.code, piped.stderr], [1, `${LOSING}ctflow: line 9 is not a connection event: "not an event at all"\n`]);
    assert.equal(piped.stdout.split('\n').filter((l) => l !== '').length, 3);
  });

  it('counts an overlong line (quoted as <line too long> by --strict)', async () => {
    const path = write('overlong.txt', [events[0]!, 'x'.repeat(40_000), ...events.slice(1)]);
    const r = await runCli(['watch', '--file', path, '--ndjson']);
    assert.deepStrictEqual([r.code, ndjson(r.stdout).length, r.stderr], [0, 31, `ctflow: skipped 1 unparseable line (first at line 2)\n${ALL}`]);
    const strict = await runCli(['watch', '--file', path, '--strict']);
    assert.deepStrictEqual([strict.code, strict.stderr], [1, 'ctflow: line 2 is not a connection event: "<line too long>"\n']);
  });

  it('stops reading at --count: lines after the last event shown are not looked at', async () => {
    const path = write('tail-garbage.txt', [...events.slice(0, 3), 'garbage']);
    const r = await runCli(['watch', '--file', path, '--count', '3', '--strict']);
    assert.deepStrictEqual([r.code, r.stdout.split('\n').length - 1], [0, 3]);
    assert.equal(r.stderr, 'ctflow: 3 events seen (1 new, 2 update, 0 destroy), 3 shown, 0 losses reported by conntrack (ENOBUFS)\n');
  });
});

describe("watch on a conntrack subprocess's unparseable output (a fake one on --conntrack-bin)", () => {
  function fakeConntrack(name: string, lines: string[], then: string): string {
    const text = write(`${name}.out`, lines);
    const path = join(dir, name);
    // its pid, which `exec` keeps: ctflow may stop it before a test could find it among its children
    writeFileSync(path, `#!/bin/sh\necho $$ > "${path}.pid"\ncat "${text}"\n${then}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('counts the lines of its stdout that are not events, by their line number there', async () => {
    const bin = fakeConntrack('conntrack-stray', [events[0]!, 'stray', events[1]!, 'stray again'], 'exit 0');
    const r = await runCli(['watch', '--conntrack-bin', bin, '--ndjson']);
    assert.deepStrictEqual([r.code, ndjson(r.stdout).map((e) => e.event)], [0, ['new', 'update']]);
    assert.equal(
      r.stderr,
      'ctflow: skipped 2 unparseable lines (first at line 2)\n' +
        'ctflow: 2 events seen (1 new, 1 update, 0 destroy), 2 shown, 0 losses reported by conntrack (ENOBUFS)\n',
    );
  });

  it('--strict: exit 1 with the line, and conntrack is stopped, not left running', async () => {
    const bin = fakeConntrack('conntrack-stray-wait', [events[0]!, 'stray'], 'exec sleep 60');
    const run = startCli(['watch', '--conntrack-bin', bin, '--strict']);
    assert.deepStrictEqual(await run.exited, { code: 1, signal: null });
    const kid = Number(readFileSync(`${bin}.pid`, 'utf8'));
    assert.equal(run.stderr(), 'ctflow: line 2 is not a connection event: "stray"\n');
    assert.equal(run.stdout(), 'NEW     tcp  SYN_SENT    10.1.0.2:38670 -> 10.2.0.2:80 snat 10.2.0.1:38670 [UNREPLIED] mark=23552\n');
    // stopped and waited for before ctflow exits, not merely signalled
    assert.equal(alive(kid), false, `conntrack ${kid} is still running`);
  });
});
