// ctflow nat-owner on the real nat-router capture (fixtures/kernel/MANIFEST.md): the router
// masquerades 10.1.0.0/24 behind 10.2.0.1 (and fd00:a1::/64 behind fd00:a2::1) and forwards
// 10.1.0.1:2222 → 10.2.0.2:22, :8080 → :80, udp :5353 → :53, :21 → :21.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EventReplay } from '../../src/aggregate/event-replay.js';
import { natOwnersOf } from '../../src/aggregate/nat-owner.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseMoment, parseNatTarget } from '../../src/commands/nat-owner.js';
import { fakeConntrack } from '../helpers/fake-conntrack.js';
import { fixture, runCli } from '../helpers/cli.js';

const ROUTER = fixture('nat-router/proc_nf_conntrack.txt');
const EVENTS = fixture('nat-router/events_E_o_timestamp.txt');
const dir = mkdtempSync(join(tmpdir(), 'ctflow-nat-owner-'));

interface Owner { nat: string; protocol: string; family: string; public: object; inside: object; peer: object; state: string | null }

async function owners(args: string[], opts: { stdin?: string } = {}): Promise<Owner[]> {
  const r = await runCli(['nat-owner', '--json', ...args], opts);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return JSON.parse(r.stdout) as Owner[];
}

describe('nat-owner on the table now', () => {
  it('a DNAT port-forward: the real server behind the public port, and the client as peer (table)', async () => {
    const r = await runCli(['nat-owner', '10.1.0.1:2222', '--file', ROUTER, '--no-color']);
    assert.equal(r.stdout, [
      '┌───────┬──────┬───────────────┬─────────────┬────────────────┬─────────────┐',
      '│ Proto │ NAT  │ Public        │ Inside      │ Peer           │ State       │',
      '│ tcp   │ dnat │ 10.1.0.1:2222 │ 10.2.0.2:22 │ 10.1.0.2:59398 │ ESTABLISHED │',
      '└───────┴──────┴───────────────┴─────────────┴────────────────┴─────────────┘',
      '',
    ].join('\n'));
  });

  it('masquerade: the inside host whose source port the router mapped (20000-20999 for :8000)', async () => {
    assert.deepStrictEqual(await owners(['10.2.0.1:20871', '--file', ROUTER]), [
      { nat: 'snat', protocol: 'tcp', family: 'ipv4', public: { addr: '10.2.0.1', port: 20871 }, inside: { addr: '10.1.0.2', port: 37598 }, peer: { addr: '10.2.0.2', port: 8000 }, state: 'TIME_WAIT' },
    ]);
  });

  it('IPv6 as [addr]:port, -p, a service name for the port, and conntrack -L text', async () => {
    assert.deepStrictEqual(await owners(['[fd00:a2::1]:39725', '-p', 'udp', '--file', fixture('nat-router/conntrack_L.txt')]), [
      { nat: 'snat', protocol: 'udp', family: 'ipv6', public: { addr: 'fd00:a2::1', port: 39725 }, inside: { addr: 'fd00:a1::2', port: 39725 }, peer: { addr: 'fd00:a2::2', port: 53 }, state: null },
    ]);
    assert.deepStrictEqual(await owners(['10.1.0.1:5353', '--proto', 'udp', '--file', ROUTER]), [
      { nat: 'dnat', protocol: 'udp', family: 'ipv4', public: { addr: '10.1.0.1', port: 5353 }, inside: { addr: '10.2.0.2', port: 53 }, peer: { addr: '10.1.0.2', port: 42787 }, state: null },
    ]);
    assert.deepStrictEqual(await owners(['10.1.0.1:5353', '-p', 'tcp', '--file', ROUTER]), []);
    assert.deepStrictEqual((await owners(['10.1.0.1:ssh', '--file', ROUTER])).length, 0); // 22 is not forwarded; 2222 is
  });

  it('a port of the router itself, not NAT’ed, has no owner; --stdin, --strict and --exec read as list does', async () => {
    assert.deepStrictEqual(await owners(['10.1.0.1:2200', '--stdin', '--strict'], { stdin: readFileSync(ROUTER, 'latin1') }), []);
    const fake = fakeConntrack(dir, { table: fixture('nat-router/conntrack_L_o_extended.txt') });
    assert.deepStrictEqual((await owners(['10.2.0.1:59398', '--exec', '--conntrack-bin', fake.bin])).map((o) => o.inside), [{ addr: '10.1.0.2', port: 59398 }]);
  });
});

describe('nat-owner --at: a past moment from a log of events', () => {
  const log = join(dir, 'watch.ndjson');
  it('replays watch --ndjson: the mapping while it lived, nothing before NEW or after DESTROY', async () => {
    const w = await runCli(['watch', '--file', EVENTS, '--ndjson']);
    writeFileSync(log, w.stdout);
    const at = async (moment: string): Promise<unknown[]> => (await owners(['10.2.0.1:55340', '--file', log, '--at', moment])).map((o) => [o.inside, o.peer, o.state]);
    assert.deepStrictEqual(await at('1795512291.4'), []);
    assert.deepStrictEqual(await at('1795512291.44'), [[{ addr: '10.1.0.2', port: 55340 }, { addr: '10.2.0.2', port: 7008 }, 'ESTABLISHED']]);
    assert.deepStrictEqual(await at('2026-11-24T09:24:51.5Z'), [[{ addr: '10.1.0.2', port: 55340 }, { addr: '10.2.0.2', port: 7008 }, 'CLOSE']]);
    assert.deepStrictEqual(await at('2026-11-24T09:24:55Z'), []);
  });

  it('reads conntrack -E -o timestamp text the same way, and a DNAT of a "both" entry', async () => {
    const args = ['10.1.0.1:ftp', '--at', '1795512295'];
    const fromText = await owners([...args, '--file', EVENTS]);
    assert.deepStrictEqual(fromText, [
      { nat: 'dnat', protocol: 'tcp', family: 'ipv4', public: { addr: '10.1.0.1', port: 21 }, inside: { addr: '10.2.0.2', port: 21 }, peer: { addr: '10.1.0.2', port: 37994 }, state: 'TIME_WAIT' },
    ]);
    assert.deepStrictEqual(await owners([...args, '--file', log]), fromText);
  });

  it('a DESTROY and the NEW after it: gone in between', async () => {
    const inside = async (moment: string): Promise<unknown[]> => (await owners(['10.2.0.1:40123', '-p', 'udp', '--file', log, '--at', moment])).map((o) => o.inside);
    assert.deepStrictEqual(
      [await inside('1795512294.64'), await inside('1795512294.64137'), await inside('1795512294.7')],
      [[{ addr: '10.1.0.2', port: 40123 }], [], [{ addr: '10.1.0.2', port: 40123 }]],
    );
  });

  it('says when the log lost events', async () => {
    const lossy = join(dir, 'lossy.ndjson');
    writeFileSync(lossy, `${readFileSync(log, 'utf8')}{"event":"lost","time":1795512299.5,"lost":1}\n`);
    const r = await runCli(['nat-owner', '10.2.0.1:55340', '--file', lossy, '--at', '1795512291.44', '--json']);
    assert.deepStrictEqual([r.code, r.stderr, (JSON.parse(r.stdout) as unknown[]).length], [0, 'ctflow: the log reports 1 lost-events warning(s): mappings made then may be missing\n', 1]);
  });
});

describe('nat-owner errors (one sentence)', () => {
  const cases: [string[], number, string][] = [
    [['fd00::1:80', '--file', ROUTER], 2, 'ctflow: nat-owner: expected ADDR:PORT (IPv6 as [ADDR]:PORT), got "fd00::1:80"\n'],
    [['10.1.0.1', '--file', ROUTER], 2, 'ctflow: nat-owner: expected ADDR:PORT (IPv6 as [ADDR]:PORT), got "10.1.0.1"\n'],
    [['10.1.0.1:nosuch', '--file', ROUTER], 2, 'ctflow: nat-owner: a port must be a number from 0 to 65535 or a service name in /etc/services, got "nosuch"\n'],
    [['10.1.0.1:21', '--file', EVENTS, '--at', 'yesterday'], 2, 'ctflow: --at: expected ISO 8601 (2026-11-24T09:24:51Z) or epoch seconds, got "yesterday"\n'],
    [['10.1.0.1:21', '--at', '1795512295'], 2, 'ctflow: --at: needs a log of events to read, given with --file or --stdin, got the live table\n'],
    [['10.1.0.1:21', '--file', ROUTER, '--at', '1795512295'], 2, 'ctflow: --at: the source holds no events, expected a `watch --ndjson` log or `conntrack -E -o timestamp` text, got none\n'],
    [['10.1.0.1:21', '--file', fixture('nat-router/events_E.txt'), '--at', '1795512295'], 1,
      'ctflow: --at: line 1 has no time, expected events recorded with times (ctflow watch --ndjson, conntrack -E -o timestamp), got "    [NEW] tcp      6 120 SYN_SENT src=10.1.0.2 dst=10.2.0.2 sport=38670 dport=80"\n'],
  ];
  for (const [args, code, stderr] of cases) {
    it(args.join(' '), async () => {
      const r = await runCli(['nat-owner', ...args]);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [code, '', stderr]);
    });
  }
});

describe('the pieces', () => {
  it('parseNatTarget and parseMoment', () => {
    assert.deepStrictEqual(
      [parseNatTarget('10.1.0.1:2222'), parseNatTarget('[FD00:A1:0::1]:443'), parseNatTarget('10.1.0.1:domain', 'udp')],
      [{ addr: '10.1.0.1', port: 2222 }, { addr: 'fd00:a1::1', port: 443 }, { addr: '10.1.0.1', port: 53 }],
    );
    assert.deepStrictEqual([parseMoment('1795512291.5'), parseMoment('2026-11-24T09:24:51.5Z'), parseMoment('2026-11-24T10:24:51+01:00')], [1795512291.5, 1795512291.5, 1795512291]);
  });

  it('a hairpin entry (DNAT and SNAT to the same public address:port) answers twice', () => {
    // hand-written: the capture has no hairpin; the shape is what `conntrack -L` prints for one
    const c = parseConnLine('tcp      6 431999 ESTABLISHED src=10.1.0.5 dst=10.1.0.1 sport=40000 dport=40000 src=10.2.0.2 dst=10.1.0.1 sport=22 dport=40000 [ASSURED] mark=0 use=1')!;
    assert.deepStrictEqual(natOwnersOf(c, { addr: '10.1.0.1', port: 40000 }).map((o) => [o.nat, o.inside]), [
      ['snat', { addr: '10.1.0.5', port: 40000 }], ['dnat', { addr: '10.2.0.2', port: 22 }],
    ]);
  });

  it('EventReplay keeps an entry by its original tuple and zones across updates', () => {
    const a = parseConnLine('udp      17 29 src=10.1.0.2 dst=10.2.0.2 sport=1 dport=53 src=10.2.0.2 dst=10.2.0.1 sport=53 dport=1 mark=0 use=1')!;
    const b = parseConnLine('udp      17 29 src=10.1.0.2 dst=10.2.0.2 sport=1 dport=53 src=10.2.0.2 dst=10.2.0.1 sport=53 dport=1 zone=7 use=1')!;
    const r = new EventReplay<typeof a>();
    r.apply({ type: 'new', conn: a });
    r.apply({ type: 'new', conn: b });
    r.apply({ type: 'update', conn: { ...a, timeout: 3 } });
    r.apply({ type: 'destroy', conn: b });
    assert.deepStrictEqual([...r.entries()].map((c) => [c.zone, c.timeout]), [[0, 3]]);
  });
});
