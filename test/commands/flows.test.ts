import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';

const ROUTER = fixture('nat-router/proc_nf_conntrack.txt');
const HOST = fixture('local-host/proc_nf_conntrack.txt');
/** the router's addresses, from the rtr block of nat-router/topology.txt */
const ROUTER_LOCAL = '127.0.0.1,::1,10.1.0.1,fd00:a1::1,fe80::58f5:8bff:fe2b:9f3b,10.2.0.1,fd00:a2::1,fe80::60eb:a4ff:feea:9986';
/** the host's addresses, straight from local-host/ip_o_addr.txt */
const HOST_LOCAL = readFileSync(fixture('local-host/ip_o_addr.txt'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/\s+/)[3]!.split('/')[0]!);
const dir = mkdtempSync(join(tmpdir(), 'ctflow-flows-'));

interface FlowRow {
  direction: string;
  protocol: string;
  family: string;
  local: { addr: string; port: number | 'many' | null };
  peer: { addr: string; port: number | 'many' | null; name: string | null };
  connections: number;
  stat: { total_inbound_packets: number; total_inbound_bytes: number; total_outbound_packets: number; total_outbound_bytes: number };
  src?: { addr: string; port: number | 'many' | null };
  dst?: { addr: string; port: number | 'many' | null };
  nat_target?: { addr: string; port: number | 'many' | null } | null;
}

async function flowsJson(args: string[], opts: { stdin?: string } = {}): Promise<FlowRow[]> {
  const r = await runCli(['flows', '--json', '-n', ...args], opts);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return JSON.parse(r.stdout) as FlowRow[];
}

const short = (f: FlowRow): string => `${f.direction} ${f.protocol} ${f.local.addr}:${f.local.port} ${f.peer.addr}:${f.peer.port} x${f.connections}`;
const total = (rows: FlowRow[]): number => rows.reduce((n, f) => n + f.connections, 0);

describe('ctflow flows on the real local-host capture, --local from its ip_o_addr.txt', () => {
  it('gives exactly the MANIFEST ground truth: directions, ports, connection counts', async () => {
    const rows = await flowsJson(['--file', HOST, '--local', HOST_LOCAL.join(',')]);
    assert.deepStrictEqual(rows.map(short), [
      'passive icmp 10.3.0.10:8 10.3.0.21:many x1',
      'passive tcp 10.3.0.10:22 10.3.0.21:many x1',
      'passive tcp 10.3.0.10:22 10.3.0.22:many x1',
      'passive tcp 10.3.0.10:80 10.3.0.23:many x1',
      'passive tcp 10.3.0.10:443 10.3.0.21:many x1',
      'passive tcp 10.3.0.10:40001 10.3.0.22:many x1',
      'passive tcp fd00:a3::10:443 fd00:a3::21:many x1',
      'passive udp 10.3.0.10:53 10.3.0.23:many x1',
      'passive icmpv6 fd00:a3::10:128 fd00:a3::21:many x1',
      'active icmp 10.3.0.10:many 10.3.0.22:8 x1',
      'active tcp 10.3.0.10:many 10.3.0.21:443 x1',
      'active tcp 10.3.0.10:many 10.3.0.21:2049 x1',
      'active tcp 10.3.0.10:many 10.3.0.22:9 x1',
      'active tcp 10.3.0.10:many 10.3.0.22:5432 x1',
      'active tcp 10.3.0.10:many 10.3.0.23:8080 x1',
      'active tcp fd00:a3::10:many fd00:a3::21:443 x1',
      'active udp 10.3.0.10:many 10.3.0.21:123 x1',
      'local tcp 10.3.0.10:80 10.3.0.10:many x1',
      'local tcp 127.0.0.1:6379 127.0.0.1:many x1',
      'local tcp ::1:443 ::1:many x1',
    ]);
    // accounting was off in that capture: every counter is 0, none invented
    assert.deepStrictEqual(new Set(rows.map((f) => JSON.stringify(f.stat))), new Set([
      JSON.stringify({ total_inbound_packets: 0, total_inbound_bytes: 0, total_outbound_packets: 0, total_outbound_bytes: 0 }),
    ]));
    assert.deepStrictEqual(new Set(rows.map((f) => f.peer.name)), new Set([null]));
  });

  it('reads conntrack -L text the same way as /proc (compressed IPv6, no prefix)', async () => {
    const a = await flowsJson(['--file', HOST, '--local', HOST_LOCAL.join(',')]);
    const b = await flowsJson(['--file', fixture('local-host/conntrack_L.txt'), '--local', HOST_LOCAL.join(',')]);
    assert.deepStrictEqual(b, a);
  });

  it('is the default command: `ctflow` with no subcommand prints the same flows', async () => {
    const r = await runCli(['--file', HOST, '--local', HOST_LOCAL.join(','), '--json', '-n']);
    assert.equal(r.code, 0);
    assert.deepStrictEqual(JSON.parse(r.stdout), await flowsJson(['--file', HOST, '--local', HOST_LOCAL.join(',')]));
  });

  it('--local takes repeats and comma lists', async () => {
    const rows = await flowsJson(['--file', HOST, '--local', '10.3.0.10', '--local', 'fd00:a3::10,127.0.0.1,::1', '--active']);
    assert.equal(total(rows), 8);
  });
});

describe('ctflow flows on the proto-zoo capture (every protocol the kernel tracks)', () => {
  const ZOO_LOCAL = ['--local', '10.4.0.1,fd00:a4::1'];
  const ndjson = async (file: string): Promise<string> => {
    const r = await runCli(['flows', '-n', '--ndjson', ...ZOO_LOCAL, '--file', fixture(`proto-zoo/${file}`)]);
    assert.deepStrictEqual([r.code, r.stderr], [0, '']);
    return r.stdout;
  };

  it('gives the same NDJSON from /proc and from conntrack -L, DCCP without made-up ports 0 included', async () => {
    const proc = await ndjson('proc_nf_conntrack.txt');
    assert.equal(await ndjson('conntrack_L.txt'), proc);
    assert.equal(await ndjson('conntrack_L_o_extended.txt'), proc);
    assert.equal(proc.split('\n').length - 1, 27);
    // /proc prints `unknown 33` with no ports, conntrack -L `dccp 33 … sport=0 dport=0`: both are portless
    assert.deepStrictEqual(proc.split('\n').filter((l) => l.includes('"dccp"')).map((l) => JSON.parse(l) as FlowRow), [
      {
        direction: 'active', protocol: 'dccp', family: 'ipv6', local: { addr: 'fd00:a4::1', port: null },
        peer: { addr: 'fd00:a4::2', port: null, name: null }, connections: 1,
        stat: { total_inbound_packets: 1, total_inbound_bytes: 64, total_outbound_packets: 3, total_outbound_bytes: 240 },
      },
      {
        direction: 'active', protocol: 'dccp', family: 'ipv4', local: { addr: '10.4.0.1', port: null },
        peer: { addr: '10.4.0.2', port: null, name: null }, connections: 1,
        stat: { total_inbound_packets: 1, total_inbound_bytes: 44, total_outbound_packets: 3, total_outbound_bytes: 180 },
      },
    ]);
  });
});

describe('ctflow flows on the nat-router capture as the router (forward view)', () => {
  it('sums counters per flow and shows the NAT target of port forwards', async () => {
    const rows = await flowsJson(['--file', ROUTER, '--local', ROUTER_LOCAL, '--limit', '3']);
    assert.deepStrictEqual(rows, [
      {
        direction: 'forward', protocol: 'tcp', family: 'ipv4',
        local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.2.0.2', port: 80, name: null }, connections: 2,
        stat: { total_inbound_packets: 17, total_inbound_bytes: 68060, total_outbound_packets: 17, total_outbound_bytes: 1066 },
        src: { addr: '10.1.0.2', port: 'many' }, dst: { addr: '10.2.0.2', port: 80 }, nat_target: null,
      },
      {
        direction: 'forward', protocol: 'tcp', family: 'ipv4',
        local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.2.0.2', port: 8000, name: null }, connections: 2,
        stat: { total_inbound_packets: 14, total_inbound_bytes: 22353, total_outbound_packets: 15, total_outbound_bytes: 970 },
        src: { addr: '10.1.0.2', port: 'many' }, dst: { addr: '10.2.0.2', port: 8000 }, nat_target: null,
      },
      {
        direction: 'forward', protocol: 'tcp', family: 'ipv4',
        local: { addr: '10.1.0.2', port: 'many' }, peer: { addr: '10.1.0.1', port: 8080, name: null }, connections: 1,
        stat: { total_inbound_packets: 7, total_inbound_bytes: 20560, total_outbound_packets: 9, total_outbound_bytes: 563 },
        src: { addr: '10.1.0.2', port: 'many' }, dst: { addr: '10.1.0.1', port: 8080 }, nat_target: { addr: '10.2.0.2', port: 80 },
      },
    ]);
  });

  it('--forward, --passive, --active and --local-flows select directions, in any combination', async () => {
    const count = async (args: string[]): Promise<[number, number]> => {
      const rows = await flowsJson(['--file', ROUTER, '--local', ROUTER_LOCAL, ...args]);
      return [rows.length, total(rows)];
    };
    assert.deepStrictEqual(await count([]), [32, 34]);
    assert.deepStrictEqual(await count(['--forward']), [29, 31]);
    assert.deepStrictEqual(await count(['--passive']), [2, 2]);
    assert.deepStrictEqual(await count(['--active']), [1, 1]);
    assert.deepStrictEqual(await count(['--local-flows']), [0, 0]);
    assert.deepStrictEqual(await count(['--active', '--passive']), [3, 3]);
  });

  describe('every list filter applies before grouping, in every spelling', () => {
    // the same counts `ctflow list` keeps of these 34 entries
    const cases: [string[], number][] = [
      [['-p', 'tcp'], 21], [['--proto', 'udp'], 7], [['--state', 'TIME_WAIT'], 8],
      [['-s', '10.1.0.2'], 25], [['--src', '10.1.0.0/24'], 25], [['-d', '10.2.0.3'], 2], [['--dst', 'fd00:a2::/64'], 8],
      [['-r', '10.2.0.2'], 22], [['--reply-src', '10.2.0.2'], 22], [['-q', '10.2.0.0/16'], 24], [['--reply-dst', '10.2.0.0/16'], 24],
      [['--sport', '43426'], 1], [['--dport', '80'], 3], [['--reply-port-src', '80'], 4], [['--reply-port-dst', '58518'], 1],
      [['--port', '53'], 3], [['-m', '23552'], 4], [['--mark', '0x2a/0xff'], 1], [['-w', '42'], 1], [['--zone', '42'], 1],
      [['-u', 'UNREPLIED'], 6], [['--status', 'assured'], 19], [['--snat'], 31], [['--dnat'], 6], [['--nat'], 31],
      [['-f', 'ipv6'], 8], [['--family', 'ipv4'], 26],
    ];
    for (const [args, n] of cases) {
      it(`${args.join(' ')} keeps ${n} connections`, async () => {
        assert.equal(total(await flowsJson(['--file', ROUTER, '--local', ROUTER_LOCAL, ...args])), n);
      });
    }
  });

  it('--aport keeps active flows to those remote ports; --pport passive flows on those local ports', async () => {
    const host = ['--file', HOST, '--local', HOST_LOCAL.join(',')];
    assert.deepStrictEqual((await flowsJson([...host, '--active', '--aport', '443', '--aport', '5432,9'])).map(short), [
      'active tcp 10.3.0.10:many 10.3.0.21:443 x1',
      'active tcp 10.3.0.10:many 10.3.0.22:9 x1',
      'active tcp 10.3.0.10:many 10.3.0.22:5432 x1',
      'active tcp fd00:a3::10:many fd00:a3::21:443 x1',
    ]);
    assert.deepStrictEqual((await flowsJson([...host, '--passive', '--pport', '40001,53'])).map(short), [
      'passive tcp 10.3.0.10:40001 10.3.0.22:many x1',
      'passive udp 10.3.0.10:53 10.3.0.23:many x1',
    ]);
  });

  it('--listening keeps passive flows whose port listens now (--proc-net: the capture’s socket tables)', async () => {
    const procNet = join(dir, 'proc-net');
    mkdirSync(procNet, { recursive: true });
    for (const f of ['tcp', 'tcp6', 'udp', 'udp6']) copyFileSync(fixture(`local-host/proc_net_${f}.txt`), join(procNet, f));
    // drop the :80 listener: its passive flow (a curl in TIME_WAIT) must go, the rest stay
    writeFileSync(join(procNet, 'tcp'), readFileSync(join(procNet, 'tcp'), 'latin1').split('\n').filter((l) => !l.includes('00000000:0050 00000000:0000 0A')).join('\n'));
    const rows = await flowsJson(['--file', HOST, '--local', HOST_LOCAL.join(','), '--passive', '--listening', '--proc-net', procNet]);
    assert.deepStrictEqual(rows.map(short), [
      'passive tcp 10.3.0.10:22 10.3.0.21:many x1',
      'passive tcp 10.3.0.10:22 10.3.0.22:many x1',
      'passive tcp 10.3.0.10:443 10.3.0.21:many x1', // [::]:443 is dual-stack: IPv4 clients count
      'passive tcp 10.3.0.10:40001 10.3.0.22:many x1',
      'passive tcp fd00:a3::10:443 fd00:a3::21:many x1',
      'passive udp 10.3.0.10:53 10.3.0.23:many x1',
    ]);
  });

  it('--sort connections|bytes|packets|peer|port and --limit', async () => {
    const top = async (key: string, n: number): Promise<string[]> =>
      (await flowsJson(['--file', ROUTER, '--local', ROUTER_LOCAL, '--sort', key, '--limit', String(n)])).map(short);
    assert.deepStrictEqual(await top('bytes', 1), ['forward tcp 10.1.0.2:many 10.2.0.2:80 x2']);
    assert.deepStrictEqual(await top('connections', 2), ['forward tcp 10.1.0.2:many 10.2.0.2:80 x2', 'forward tcp 10.1.0.2:many 10.2.0.2:8000 x2']);
    assert.deepStrictEqual(await top('packets', 2), ['forward tcp 10.1.0.2:many 10.2.0.2:80 x2', 'forward tcp 10.1.0.2:many 10.1.0.1:21 x1']);
    assert.deepStrictEqual(await top('peer', 1), ['forward tcp 10.1.0.2:many 10.1.0.1:21 x1']);
    assert.deepStrictEqual(await top('port', 2), ['passive icmp 10.1.0.1:8 10.1.0.2:many x1', 'active icmp 10.2.0.1:many 10.2.0.2:8 x1']);
    // 0 = all, as in list and top
    const all = (await flowsJson(['--file', ROUTER, '--local', ROUTER_LOCAL, '--sort', 'bytes'])).map(short);
    assert.equal(all.length, 32);
    assert.deepStrictEqual(await top('bytes', 0), all);
  });

  it('prints rows in the same order on every run, whatever order the table is in', async () => {
    const lines = readFileSync(ROUTER, 'latin1').trimEnd().split('\n');
    const reversed = lines.reverse().join('\n') + '\n';
    const a = await runCli(['flows', '--stdin', '--local', ROUTER_LOCAL, '-n', '--no-color'], { stdin: readFileSync(ROUTER) });
    const b = await runCli(['flows', '--stdin', '--local', ROUTER_LOCAL, '-n', '--no-color'], { stdin: reversed });
    const c = await runCli(['flows', '--file', '-', '--local', ROUTER_LOCAL, '--numeric'], { stdin: reversed });
    assert.equal(a.code, 0);
    assert.equal(b.stdout, a.stdout);
    assert.equal(c.stdout, a.stdout);
    assert.equal(a.stdout.split('\n').length, 32 + 4);
  });
});

describe('ctflow flows output formats', () => {
  it('--ndjson: one object per line; --csv: a header and one row per flow; the table by default', async () => {
    const base = ['flows', '--file', ROUTER, '--local', ROUTER_LOCAL, '-n', '--passive'];
    const nd = await runCli([...base, '--ndjson']);
    assert.deepStrictEqual(nd.stdout.trim().split('\n').map((l) => short(JSON.parse(l) as FlowRow)), [
      'passive tcp 10.1.0.1:2200 10.1.0.2:many x1',
      'passive icmp 10.1.0.1:8 10.1.0.2:many x1',
    ]);
    const csv = await runCli([...base, '--csv']);
    assert.equal(csv.stdout, [
      'direction,protocol,family,local_addr,local_port,peer_addr,peer_port,peer_name,nat_target_addr,nat_target_port,connections,inbound_packets,inbound_bytes,outbound_packets,outbound_bytes',
      'passive,tcp,ipv4,10.1.0.1,2200,10.1.0.2,many,,,,1,4,228,3,228',
      'passive,icmp,ipv4,10.1.0.1,8,10.1.0.2,many,,,,1,1,84,1,84',
      '',
    ].join('\n'));
    const table = await runCli([...base, '--no-color', '--wide', '--exact']);
    assert.equal(table.stdout, [
      '┌───────┬───────────────────────┬──────┬────────────────┬───────┬────────┬─────────┬─────────┬──────────┐',
      '│ Proto │ Local or client       │ <--> │ Peer or server │ Conns │ Inpkts │ Inbytes │ Outpkts │ Outbytes │',
      '│ tcp   │ 10.1.0.1:2200         │ <--  │ 10.1.0.2:many  │     1 │      4 │     228 │       3 │      228 │',
      '│ icmp  │ 10.1.0.1:echo-request │ <--  │ 10.1.0.2:many  │     1 │      1 │      84 │       1 │       84 │',
      '└───────┴───────────────────────┴──────┴────────────────┴───────┴────────┴─────────┴─────────┴──────────┘',
      '',
    ].join('\n'));
    const forced = await runCli([...base], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\u001b\[/);
    const none = await runCli([...base, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.doesNotMatch(none.stdout, /\u001b\[/);
  });

  it('an empty result is an empty JSON array', async () => {
    assert.deepStrictEqual(await flowsJson(['--file', ROUTER, '--local', ROUTER_LOCAL, '--local-flows']), []);
  });
});

describe('ctflow flows sources', () => {
  it('--exec runs conntrack -L through --conntrack-bin', async () => {
    const fake = join(dir, 'conntrack');
    writeFileSync(fake, `#!/bin/sh\necho "$@" > ${join(dir, 'argv')}\ncat ${fixture('local-host/conntrack_L_o_extended.txt')}\n`);
    chmodSync(fake, 0o755);
    const rows = await flowsJson(['--exec', '--conntrack-bin', fake, '--local', HOST_LOCAL.join(','), '--local-flows']);
    assert.deepStrictEqual(rows.map(short), [
      'local tcp 10.3.0.10:80 10.3.0.10:many x1',
      'local tcp 127.0.0.1:6379 127.0.0.1:many x1',
      'local tcp ::1:443 ::1:many x1',
    ]);
    assert.equal(readFileSync(join(dir, 'argv'), 'utf8').trim(), '-L -o extended');
  });

  it('--strict stops at the first unparseable line; without it the line is counted and reported', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, `not a conntrack line\n${readFileSync(HOST, 'latin1')}`);
    const lax = await runCli(['flows', '--file', junk, '--local', HOST_LOCAL.join(','), '-n', '--json']);
    assert.equal(lax.code, 0);
    assert.equal((JSON.parse(lax.stdout) as FlowRow[]).length, 20);
    assert.match(lax.stderr, /skipped 1 unparseable line/);
    const strict = await runCli(['flows', '--file', junk, '--local', HOST_LOCAL.join(','), '-n', '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /^ctflow: .*line 1/);
  });
});

describe('ctflow flows DNS', () => {
  it('without -n, peer names come from reverse DNS within --dns-timeout (names or null, addresses kept)', async () => {
    const r = await runCli(['flows', '--json', '--file', HOST, '--local', HOST_LOCAL.join(','), '--dns-timeout', '50', '--limit', '2']);
    assert.equal(r.code, 0);
    const rows = JSON.parse(r.stdout) as FlowRow[];
    assert.deepStrictEqual(rows.map((f) => f.peer.addr), ['10.3.0.21', '10.3.0.21']);
    for (const f of rows) assert.ok(f.peer.name === null || typeof f.peer.name === 'string');
  });
});

it('--listening with an unreadable --proc-net is a runtime error (exit 1), one sentence', async () => {
  const r = await runCli(['flows', '--file', HOST, '-n', '--listening', '--proc-net', join(dir, 'nowhere')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `ctflow: --listening: cannot read the socket tables, expected ${join(dir, 'nowhere', 'tcp')} (and tcp6, udp, udp6), got none\n`);
});

describe('ctflow flows usage errors (exit 2, one sentence)', () => {
  const cases: [string[], RegExp][] = [
    [['--local', 'myhost'], /^ctflow: --local: expected an IPv4 or IPv6 address, got "myhost"\n$/],
    [['--sort', 'size'], /^ctflow: --sort: expected one of bytes, connections, packets, peer, port \(prefix - to reverse\), got "size"\n$/],
    [['--aport', '70000'], /^ctflow: --aport: a port must be a number from 0 to 65535, got "70000"\n$/],
    [['--pport', 'no-such-service'], /^ctflow: --pport: a port must be a number from 0 to 65535 or a service name in \/etc\/services, got "no-such-service"\n$/],
    [['--limit', '-1'], /^ctflow: --limit: expected a whole number ≥ 0, got "-1"\n$/],
    [['--dns-timeout', '0'], /^ctflow: --dns-timeout: expected a whole number from 1 to 600000, got "0"\n$/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const r = await runCli(['flows', '--file', HOST, ...args]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }
});
