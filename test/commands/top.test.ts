import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-top-'));
const PROC = fixture('nat-router/proc_nf_conntrack.txt');
/** the router's addresses, from the rtr block of nat-router/topology.txt: flow tests never depend on this machine's */
const ROUTER_LOCAL = '127.0.0.1,::1,10.1.0.1,fd00:a1::1,fe80::58f5:8bff:fe2b:9f3b,10.2.0.1,fd00:a2::1,fe80::60eb:a4ff:feea:9986';
const HOST = fixture('local-host/proc_nf_conntrack.txt');
/** the host's addresses, straight from local-host/ip_o_addr.txt */
const HOST_LOCAL = readFileSync(fixture('local-host/ip_o_addr.txt'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/\s+/)[3]!.split('/')[0]!);
const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);

describe('ctflow top, plain frames', () => {
  it('prints one frame with --once: header, totals, column header, host flows by bytes (no rates yet)', async () => {
    const r = await runCli(['top', '--wide', '--once', '--file', PROC, '--local', ROUTER_LOCAL, '--limit', '4']);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^ctflow top {2}\d\d:\d\d:\d\d {2}every 2s {2}flows {2}sort rate desc$/);
    assert.deepStrictEqual(lines.slice(1), [
      '32 flows, 34 connections',
      '',
      'Proto    Flow                                                  Conns     Bytes/s   Pkts/s      Bytes      Pkts',
      'tcp      10.1.0.2:many ==> 10.2.0.2:80                             2           -        -     68 KiB        34',
      'tcp      10.1.0.2:many ==> 10.2.0.2:8000                           2           -        -     23 KiB        29',
      'tcp      10.1.0.2:many ==> 10.1.0.1:8080 dnat 10.2.0.2:80          1           -        -     21 KiB        16',
      'tcp      10.1.0.2:many ==> 10.1.0.1:39027 dnat 10.2.0.2:39027      1           -        -     11 KiB        10',
      '',
    ]);
    assert.equal(r.stderr, '');
  });

  it('shows passive (<--) and active (-->) flows of the router, as flows does', async () => {
    const r = await runCli(['top', '--wide', '--once', '--file', PROC, '--local', ROUTER_LOCAL, '-p', 'icmp']);
    assert.deepStrictEqual(r.stdout.split('\n').slice(3), [
      'Proto    Flow                                     Conns     Bytes/s   Pkts/s      Bytes      Pkts',
      'icmp     10.1.0.2:many ==> 10.2.0.2:echo-request      1           -        -      504 B         6',
      'icmp     10.1.0.1:echo-request <-- 10.1.0.2:many      1           -        -      168 B         2',
      'icmp     10.2.0.1:many --> 10.2.0.2:echo-request      1           -        -      168 B         2',
      'icmp     10.1.0.2:many ==> 10.2.0.3:echo-request      1           -        -      168 B         2',
      '',
    ]);
  });

  it('prints N frames with --iterations, --interval apart; the second has rates (0 for a file)', async () => {
    const r = await runCli(['top', '--wide', '--iterations', '2', '--interval', '0.2', '--file', PROC, '--limit', '1', '--connections', '--sort', 'packets']);
    const frames = r.stdout.split('\n\nctflow top');
    assert.equal(frames.length, 2);
    assert.match(frames[0]!, /every 0\.2s {2}connections {2}sort packets desc\n34 connections\n/);
    assert.match(frames[1]!, /\n34 connections {2}total 0 B\/s 0\.0 pkt\/s\n/);
    assert.match(frames[1]!, /\ntcp {6}10\.1\.0\.2:37982 -> 10\.1\.0\.1:21 ESTABLISHED +1 +0 B\/s +0\.0 +2\.0 KiB +31\n$/);
  });

  it('writes NDJSON rows and a total per frame; rates are null on frame 1 and numbers on frame 2', async () => {
    const r = await runCli(['top', '--iterations', '2', '--interval', '0.1', '--ndjson', '--file', PROC, '--local', ROUTER_LOCAL, '-p', 'udp']);
    const rows = ndjson(r.stdout);
    assert.deepStrictEqual(rows.map((x) => [x.frame, x.type]), [
      ...[1, 2].flatMap((f) => [...Array(7).fill([f, 'flow']), [f, 'total']]),
    ]);
    const { frame, time, ...dns } = rows.find((x) => x.frame === 1 && x.peer.port === 53 && x.peer.addr === '10.2.0.2')!;
    assert.deepStrictEqual([frame, typeof time], [1, 'number']);
    assert.deepStrictEqual(dns, {
      type: 'flow', direction: 'forward', protocol: 'udp', family: 'ipv4',
      local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.2.0.2', port: 53 }, nat_target: null,
      conns: 1, packets: 4, bytes: 280,
      bytes_per_sec: null, packets_per_sec: null, orig_bytes_per_sec: null, reply_bytes_per_sec: null, orig_packets_per_sec: null, reply_packets_per_sec: null,
      in_bytes_per_sec: null, out_bytes_per_sec: null, in_packets_per_sec: null, out_packets_per_sec: null,
    });
    const nat = rows.find((x) => x.frame === 2 && x.peer.port === 5353)!;
    assert.deepStrictEqual([nat.direction, nat.peer, nat.nat_target, nat.bytes_per_sec, nat.in_bytes_per_sec], [
      'forward', { addr: '10.1.0.1', port: 5353 }, { addr: '10.2.0.2', port: 53 }, 0, 0,
    ]);
    const total2 = rows.at(-1)!;
    assert.deepStrictEqual([total2.rows, total2.conns, total2.bytes_per_sec, total2.orig_bytes_per_sec, total2.table_count], [7, 7, 0, 0, null]);
  });

  it('--reverse puts the smallest first', async () => {
    const r = await runCli(['top', '--once', '--ndjson', '--file', PROC, '--sort', 'bytes', '--reverse', '--limit', '1', '--connections']);
    assert.deepStrictEqual(ndjson(r.stdout).map((x) => [x.type, x.bytes]), [['connection', 60], ['total', null]].map(([t, b]) => (t === 'total' ? [t, 146007] : [t, b])));
  });

  it('reads --stdin once, as one frame', async () => {
    const r = await runCli(['top', '--stdin', '--ndjson', '--limit', '1', '--local', ROUTER_LOCAL], { stdin: readFileSync(PROC) });
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
    // [filter, connections of the 34 in the capture that pass it]
    const cases: Array<[string[], number]> = [
      [['-p', 'tcp'], 21], [['--proto', 'udp'], 7],
      [['--state', 'TIME_WAIT'], 8],
      [['-s', '10.1.0.0/24'], 25], [['--src', 'fd00:a1::2'], 8],
      [['-d', '10.2.0.3'], 2], [['--dst', '10.1.0.1'], 8],
      [['-r', '10.2.0.2'], 22], [['--reply-src', 'fd00:a2::3'], 2],
      [['-q', '10.1.0.2'], 2], [['--reply-dst', '10.2.0.1'], 24],
      [['--sport', '43426'], 1], [['--dport', '80'], 3],
      [['--reply-port-src', '80'], 4], [['--reply-port-dst', '38040'], 1],
      [['--port', '53'], 3],
      [['-m', '23552'], 4], [['--mark', '0x1/0xff'], 3],
      [['-w', '42'], 1], [['--zone', '0'], 33],
      [['-u', 'UNREPLIED'], 6], [['--status', 'ASSURED'], 19],
      [['--snat'], 31], [['--dnat'], 6], [['--nat'], 31],
      [['-f', 'ipv6'], 8], [['--family', 'ipv4'], 26],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['top', '--once', '--ndjson', '--file', PROC, '--connections', ...args])));
    cases.forEach(([args, expected], i) => {
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
    const coloured = await runCli(['top', '--wide', '--once', '--file', PROC, '--limit', '1'], { env });
    assert.match(coloured.stdout, /^\x1b\[1mctflow top\x1b\[22m/);
    const plain = await runCli(['top', '--wide', '--once', '--file', PROC, '--limit', '1', '--no-color'], { env });
    assert.match(plain.stdout, /^ctflow top {2}/);
  });
});

describe('ctflow top, flows as `ctflow flows` has them', () => {
  const identity = (x: Record<string, any>) => ({
    direction: x.direction, protocol: x.protocol, family: x.family, local: x.local, peer: { addr: x.peer.addr, port: x.peer.port },
    nat_target: x.nat_target ?? null,
  });
  const flowsJson = async (args: string[]) => {
    const r = await runCli(['flows', '--json', '-n', '--sort', 'bytes', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Array<Record<string, any>>).map((f) => [identity(f), f.connections]);
  };
  const topJson = async (args: string[]) => {
    const r = await runCli(['top', '--once', '--ndjson', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return ndjson(r.stdout).filter((x) => x.type === 'flow').map((x) => [identity(x), x.conns]);
  };

  it('top --once --ndjson lists the flows of flows --json, in the same order, on the router with --local', async () => {
    const [flows, top] = await Promise.all([flowsJson(['--file', PROC, '--local', ROUTER_LOCAL]), topJson(['--file', PROC, '--local', ROUTER_LOCAL])]);
    assert.equal(top.length, 32);
    assert.deepStrictEqual(top, flows);
  });

  it('and on the local host (passive, active and local flows, IPv6, no accounting), --local repeated', async () => {
    const local = HOST_LOCAL.flatMap((a) => ['--local', a]);
    const [flows, top] = await Promise.all([flowsJson(['--file', HOST, ...local]), topJson(['--file', HOST, ...local])]);
    assert.deepStrictEqual(new Set(top.map(([f]) => (f as { direction: string }).direction)), new Set(['passive', 'active', 'local']));
    assert.equal(top.length, 20);
    assert.deepStrictEqual(top, flows);
  });

  it('takes --local repeated or as comma lists alike', async () => {
    const [a, b] = await Promise.all([
      topJson(['--file', PROC, '--local', '10.1.0.1,10.2.0.1', '--local', 'fd00:a1::1', '--local', 'fd00:a2::1']),
      topJson(['--file', PROC, '--local', ROUTER_LOCAL]),
    ]);
    assert.deepStrictEqual(a, b);
  });

  it('refuses a --local that is not an address (exit 2, one sentence)', async () => {
    const r = await runCli(['top', '--wide', '--once', '--file', PROC, '--local', '10.1.0.1,router']);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', 'ctflow: --local: expected an IPv4 or IPv6 address, got "router"\n']);
  });

  it('discovers this host\'s addresses without --local: loopback traffic is a local flow', async () => {
    const line = 'ipv4     2 tcp      6 300 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=40000 dport=6379 packets=3 bytes=180 ' +
      'src=127.0.0.1 dst=127.0.0.1 sport=6379 dport=40000 packets=2 bytes=120 [ASSURED] mark=0 zone=0 use=2\n';
    const r = await runCli(['top', '--stdin', '--ndjson'], { stdin: line });
    assert.deepStrictEqual(identity(ndjson(r.stdout)[0]!), {
      direction: 'local', protocol: 'tcp', family: 'ipv4', local: { addr: '127.0.0.1', port: 6379 }, peer: { addr: '127.0.0.1', port: 'many' }, nat_target: null,
    });
  });

  it('-n and --numeric change nothing: top never resolves names', async () => {
    const [plain, n, numeric] = await Promise.all([[], ['-n'], ['--numeric']].map((extra) => topJson(['--file', PROC, '--local', ROUTER_LOCAL, ...extra])));
    assert.deepStrictEqual([n, numeric], [plain, plain]);
  });

  // flow selection: the options and the code of `ctflow flows` (commands/flow-options.ts)
  const hostArgs = ['--file', HOST, '--local', HOST_LOCAL.join(',')];
  const short = ([f, n]: unknown[]): string => {
    const x = f as { direction: string; protocol: string; local: { addr: string; port: unknown }; peer: { addr: string; port: unknown } };
    return `${x.direction} ${x.protocol} ${x.local.addr}:${String(x.local.port)} ${x.peer.addr}:${String(x.peer.port)} x${String(n)}`;
  };

  it('--active, --passive, --local-flows and --forward pick directions as flows does, alone and combined', async () => {
    const cases: Array<[string[], number]> = [
      [['--active'], 8], [['--passive'], 9], [['--local-flows'], 3], [['--forward'], 0], [['--active', '--local-flows'], 11],
      [['--passive', '--active', '--local-flows', '--forward'], 20],
    ];
    for (const [args, n] of cases) {
      const [flows, top] = await Promise.all([flowsJson([...hostArgs, ...args]), topJson([...hostArgs, ...args])]);
      assert.equal(top.length, n, args.join(' '));
      assert.deepStrictEqual(top, flows, args.join(' '));
    }
    // the router forwards: 29 flows of 31 connections
    const forward = await runCli(['top', '--once', '--ndjson', '--file', PROC, '--local', ROUTER_LOCAL, '--forward']);
    assert.deepStrictEqual(ndjson(forward.stdout).filter((x) => x.type === 'total').map((x) => [x.rows, x.conns]), [[29, 31]]);
  });

  it('--aport keeps active flows to those remote ports, --pport passive flows on those local ports (repeatable, comma lists)', async () => {
    assert.deepStrictEqual((await topJson([...hostArgs, '--active', '--aport', '443', '--aport', '5432,9'])).map(short), [
      'active tcp 10.3.0.10:many 10.3.0.21:443 x1',
      'active tcp 10.3.0.10:many 10.3.0.22:9 x1',
      'active tcp 10.3.0.10:many 10.3.0.22:5432 x1',
      'active tcp fd00:a3::10:many fd00:a3::21:443 x1',
    ]);
    assert.deepStrictEqual((await topJson([...hostArgs, '--passive', '--pport', '40001,53'])).map(short), [
      'passive tcp 10.3.0.10:40001 10.3.0.22:many x1',
      'passive udp 10.3.0.10:53 10.3.0.23:many x1',
    ]);
    // without a direction, --pport narrows passive flows only: 8 active + 3 local + the 2 passive on 22
    const [flows, top] = await Promise.all([flowsJson([...hostArgs, '--pport', '22']), topJson([...hostArgs, '--pport', '22'])]);
    assert.equal(top.length, 13);
    assert.deepStrictEqual(top, flows);
  });

  it('--listening keeps passive flows whose port listens (--proc-net: the capture’s socket tables, :80 removed)', async () => {
    const procNet = join(dir, 'proc-net');
    mkdirSync(procNet, { recursive: true });
    for (const f of ['tcp', 'tcp6', 'udp', 'udp6']) copyFileSync(fixture(`local-host/proc_net_${f}.txt`), join(procNet, f));
    writeFileSync(join(procNet, 'tcp'), readFileSync(join(procNet, 'tcp'), 'latin1').split('\n').filter((l) => !l.includes('00000000:0050 00000000:0000 0A')).join('\n'));
    const r = await runCli(['top', '--wide', '--once', ...hostArgs, '--passive', '--listening', '--proc-net', procNet]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepStrictEqual(r.stdout.split('\n').slice(1), [
      '6 flows, 6 connections',
      '',
      'Proto    Flow                                      Conns     Bytes/s   Pkts/s      Bytes      Pkts',
      'tcp      10.3.0.10:22 <-- 10.3.0.21:many               1           -        -          -         -',
      'tcp      10.3.0.10:22 <-- 10.3.0.22:many               1           -        -          -         -',
      'tcp      10.3.0.10:443 <-- 10.3.0.21:many              1           -        -          -         -',
      'tcp      10.3.0.10:40001 <-- 10.3.0.22:many            1           -        -          -         -',
      'tcp6     [fd00:a3::10]:443 <-- [fd00:a3::21]:many      1           -        -          -         -',
      'udp      10.3.0.10:53 <-- 10.3.0.23:many               1           -        -          -         -',
      '',
    ]);
    const missing = await runCli(['top', '--wide', '--once', ...hostArgs, '--listening', '--proc-net', join(dir, 'nowhere')]);
    assert.deepStrictEqual([missing.code, missing.stdout, missing.stderr], [
      1, '', `ctflow: --listening: cannot read the socket tables, expected ${join(dir, 'nowhere', 'tcp')} (and tcp6, udp, udp6), got none\n`,
    ]);
  });

  it('with --connections shows the connections of the selected flows', async () => {
    const r = await runCli(['top', '--once', '--ndjson', '--connections', ...hostArgs, '--passive', '--pport', '22,443']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepStrictEqual(ndjson(r.stdout).map((x) => [x.type, x.protocol, x.family, x.src, x.dport, x.state ?? x.conns]), [
      ['connection', 'tcp', 'ipv4', '10.3.0.21', 443, 'ESTABLISHED'],
      ['connection', 'tcp', 'ipv4', '10.3.0.21', 22, 'ESTABLISHED'],
      ['connection', 'tcp', 'ipv4', '10.3.0.22', 22, 'ESTABLISHED'],
      ['connection', 'tcp', 'ipv6', 'fd00:a3::21', 443, 'ESTABLISHED'],
      ['total', undefined, undefined, undefined, undefined, 4],
    ]);
  });

  it('refuses a bad --aport or --pport with exit 2 and one sentence', async () => {
    const a = await runCli(['top', '--once', ...hostArgs, '--aport', '70000']);
    const p = await runCli(['top', '--once', ...hostArgs, '--pport', '22,x']);
    assert.deepStrictEqual([a.code, a.stdout, a.stderr], [2, '', 'ctflow: --aport: a port must be a number from 0 to 65535, got "70000"\n']);
    assert.deepStrictEqual([p.code, p.stdout, p.stderr], [2, '', 'ctflow: --pport: a port must be a number from 0 to 65535 or a service name in /etc/services, got "x"\n']);
  });

  it('labels the protocol column as flows does (tcp6, udplite6, icmpv6), on every flow of the local host and the protocol zoo', async () => {
    // a box-table row of flows: │ Proto │ Local │ arrow │ Peer │ …
    const flowsRows = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('│ ') && !l.startsWith('│ Proto'))
      .map((l) => l.split('│').slice(1, 5).map((c) => c.trim())).map(([proto, local, arrow, peer]) => `${proto} ${local} ${arrow} ${peer}`).sort();
    const topRows = (text: string): string[] => text.split('\n').slice(4).filter((l) => l !== '')
      .map((l) => `${l.slice(0, 8).trimEnd()} ${l.slice(9).split(/ {2,}/)[0]}`).sort(); // Proto (8), a space, Flow (single spaces inside)
    for (const args of [hostArgs, ['--file', fixture('proto-zoo/proc_nf_conntrack.txt'), '--local', '10.4.0.1,fd00:a4::1']]) {
      const [flows, top] = await Promise.all([runCli(['flows', '-n', '--wide', ...args]), runCli(['top', '--wide', '--once', '--limit', '100', ...args])]);
      const want = flowsRows(flows.stdout);
      assert.ok(want.some((r) => r.startsWith('tcp6 ')) && want.some((r) => r.startsWith('icmpv6 ')), args.join(' '));
      assert.deepStrictEqual(topRows(top.stdout), want, args.join(' '));
    }
    const zoo = await runCli(['top', '--wide', '--once', '--file', fixture('proto-zoo/proc_nf_conntrack.txt'), '--local', '10.4.0.1,fd00:a4::1', '-p', 'udplite', '-f', 'ipv6']);
    assert.deepStrictEqual(zoo.stdout.split('\n').slice(4), [
      'udplite6 [fd00:a4::1]:many --> [fd00:a4::2]:5204      1           -        -      176 B         2',
      'udplite6 [fd00:a4::1]:many --> [fd00:a4::2]:5203      1           -        -       78 B         1',
      '',
    ]);
  });

  it('NDJSON keeps the protocol name and carries the family, as flows --json (flow rows) and list --json (connection rows) do', async () => {
    const r = await runCli(['top', '--once', '--ndjson', '--connections', '--file', PROC, '-f', 'ipv6', '--limit', '1']);
    const { time, ...row } = ndjson(r.stdout)[0]!;
    assert.equal(typeof time, 'number');
    assert.deepStrictEqual(row, {
      frame: 1, type: 'connection', protocol: 'tcp', family: 'ipv6', src: 'fd00:a1::2', sport: 46638, dst: 'fd00:a2::2', dport: 80, icmp_type: null,
      state: 'TIME_WAIT', conns: 1, packets: 12, bytes: 2387, bytes_per_sec: null, packets_per_sec: null, orig_bytes_per_sec: null,
      reply_bytes_per_sec: null, orig_packets_per_sec: null, reply_packets_per_sec: null,
    });
    const list = JSON.parse((await runCli(['list', '--json', '--file', PROC, '-f', 'ipv6', '--dport', '80'])).stdout) as Array<Record<string, unknown>>;
    assert.deepStrictEqual([list[0]!.protocol, list[0]!.family], ['tcp', 'ipv6']);
  });
});
