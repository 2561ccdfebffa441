// As root, in private network namespaces: real TCP/UDP traffic with accounting on, and
// `ctflow flows --json` run inside with address discovery (no --local).
//   host ns H (10.9.0.1 + 10.9.0.11, fd00:99::1) ── veth ── peer ns P (10.9.0.2, fd00:99::2)
//   H listens on tcp 0.0.0.0:8001 (any), tcp 10.9.0.11:8002 (one address), udp 0.0.0.0:5301;
//   H's own clients connect to them (local flows), P connects in (passive), H connects out to P (active).
//   client ns C (10.8.1.2) ── router ns R (10.8.1.1 | 10.8.2.1, DNAT 10.8.1.1:8080 → 10.8.2.2:80,
//   masquerade towards S) ── server ns S (10.8.2.2): R's view is forward flows with the NAT target.
// Every namespace (and the /etc/netns resolv.conf of the DNS check) is removed afterwards, also on failure.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';

const why = netnsUnavailable(true, true);
if (why) console.log(`# skipping flows integration tests: ${why}`);

// one small program for every role: serve listeners, or run clients; argv specs "proto,addr,port[,count,bytes]"
const PEER = `
import net from 'node:net';
import dgram from 'node:dgram';
const [role, ...specs] = process.argv.slice(2);
const parse = (s) => { const [proto, addr, port, count, bytes] = s.split(','); return { proto, addr, port: +port, count: +count, bytes: +bytes }; };
if (role === 'serve') {
  let pending = specs.length;
  const ready = () => { if (--pending === 0) console.log('ready'); };
  for (const { proto, addr, port } of specs.map(parse)) {
    if (proto === 'tcp') {
      // read everything, answer 500 bytes, close gracefully: the entry ends in TIME_WAIT
      net.createServer((s) => { s.resume(); s.on('end', () => s.end(Buffer.alloc(500))); }).listen(port, addr, ready);
    } else {
      const u = dgram.createSocket(addr.includes(':') ? 'udp6' : 'udp4');
      u.on('message', (m, r) => u.send(m, r.port, r.address));
      u.bind(port, addr, ready);
    }
  }
} else if (role === 'dns') {
  const u = dgram.createSocket('udp4');
  u.on('message', () => console.log('query'));
  u.bind(53, '127.0.0.1', () => console.log('ready'));
} else {
  for (const { proto, addr, port, count, bytes } of specs.map(parse)) {
    if (proto === 'tcp') {
      for (let i = 0; i < count; i++) {
        await new Promise((resolve, reject) => {
          const s = net.connect(port, addr, () => s.end(Buffer.alloc(bytes)));
          s.resume();
          s.on('close', resolve);
          s.on('error', reject);
        });
      }
    } else {
      const u = dgram.createSocket(addr.includes(':') ? 'udp6' : 'udp4');
      for (let i = 0; i < count; i++) {
        await new Promise((resolve) => { u.once('message', resolve); u.send(Buffer.alloc(bytes), port, addr); });
      }
      u.close();
    }
  }
}
`;

interface FlowRow {
  direction: string; protocol: string; family: string;
  local: { addr: string; port: number | 'many' | null };
  peer: { addr: string; port: number | 'many' | null; name: string | null };
  connections: number;
  stat: { total_inbound_packets: number; total_inbound_bytes: number; total_outbound_packets: number; total_outbound_bytes: number };
  src?: unknown; dst?: unknown; nat_target?: { addr: string; port: number | 'many' | null } | null;
}

const short = (f: FlowRow): string => `${f.direction} ${f.protocol} ${f.local.addr}:${f.local.port} ${f.peer.addr}:${f.peer.port} x${f.connections}`;

describe('ctflow flows in private network namespaces', { skip: why }, () => {
  const namespaces: string[] = [];
  const children: ChildProcess[] = [];
  const work = mkdtempSync(join(tmpdir(), 'ctflow-flows-netns-'));
  const script = join(work, 'peer.mjs');
  let H = '';
  let P = '';
  let R = '';

  const ns = (tag: string): string => {
    const name = createNetns(tag);
    namespaces.push(name);
    return name;
  };
  const ip = (name: string, ...args: string[]): string => inNetns(name, 'ip', args);
  /** Start a long-running role inside a namespace and wait for its "ready" line. */
  const start = async (name: string, args: string[], onLine?: (line: string) => void): Promise<void> => {
    const child = spawn('ip', ['netns', 'exec', name, process.execPath, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`${args[0]} in ${name} exited with ${code}`)));
      lines.on('line', (line) => (line === 'ready' ? resolve() : onLine?.(line)));
    });
  };
  const clients = (name: string, specs: string[]): void => void inNetns(name, process.execPath, [script, 'connect', ...specs]);
  const veth = (a: string, aIf: string, b: string, bIf: string): void => {
    inNetns(a, 'ip', ['link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
    ip(a, 'link', 'set', aIf, 'up');
    ip(b, 'link', 'set', bIf, 'up');
  };

  before(async () => {
    writeFileSync(script, PEER);
    // --- host view: H and P
    H = ns('fh');
    P = ns('fp');
    veth(H, 'fh0', P, 'fp0');
    ip(H, 'addr', 'add', '10.9.0.1/24', 'dev', 'fh0');
    ip(H, 'addr', 'add', '10.9.0.11/24', 'dev', 'fh0');
    ip(H, '-6', 'addr', 'add', 'fd00:99::1/64', 'dev', 'fh0', 'nodad');
    ip(P, 'addr', 'add', '10.9.0.2/24', 'dev', 'fp0');
    ip(P, '-6', 'addr', 'add', 'fd00:99::2/64', 'dev', 'fp0', 'nodad');
    enableConntrack(H, { acct: true });
    inNetns(H, 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_acct=1']);
    await start(H, ['serve', 'tcp,0.0.0.0,8001', 'tcp,10.9.0.11,8002', 'udp,0.0.0.0,5301']);
    await start(P, ['serve', 'tcp,::,9001', 'udp,10.9.0.2,5302']);
    clients(H, ['tcp,127.0.0.1,8001,2,1000', 'tcp,10.9.0.11,8002,1,1000']); // local
    clients(P, ['tcp,10.9.0.1,8001,3,1000', 'tcp,10.9.0.11,8002,1,2000', 'udp,10.9.0.1,5301,2,100']); // passive
    clients(H, ['tcp,10.9.0.2,9001,2,1000', 'tcp,fd00:99::2,9001,1,1000', 'udp,10.9.0.2,5302,3,50']); // active

    // --- router view: C -- R -- S
    const C = ns('fc');
    R = ns('fr');
    const S = ns('fs');
    veth(C, 'fc0', R, 'frc');
    veth(R, 'frs', S, 'fs0');
    ip(C, 'addr', 'add', '10.8.1.2/24', 'dev', 'fc0');
    ip(C, 'route', 'add', 'default', 'via', '10.8.1.1');
    ip(R, 'addr', 'add', '10.8.1.1/24', 'dev', 'frc');
    ip(R, 'addr', 'add', '10.8.2.1/24', 'dev', 'frs');
    ip(S, 'addr', 'add', '10.8.2.2/24', 'dev', 'fs0');
    ip(S, 'route', 'add', 'default', 'via', '10.8.2.1');
    inNetns(R, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    enableConntrack(R, { acct: true });
    inNetns(R, 'nft', ['-f', '-'], [
      'table ip ctflownat {',
      '  chain pre { type nat hook prerouting priority dstnat; tcp dport 8080 dnat to 10.8.2.2:80; }',
      '  chain post { type nat hook postrouting priority srcnat; oifname "frs" masquerade; }',
      '}',
      '',
    ].join('\n'));
    await start(S, ['serve', 'tcp,0.0.0.0,80', 'udp,0.0.0.0,5303']);
    clients(C, ['tcp,10.8.1.1,8080,2,1000', 'tcp,10.8.2.2,80,1,1000', 'udp,10.8.2.2,5303,2,200']);
  });

  after(() => {
    for (const c of children) c.kill();
    for (const name of namespaces) deleteNetns(name);
    rmSync(work, { recursive: true, force: true });
  });

  const flows = async (name: string, args: string[] = []): Promise<FlowRow[]> => {
    const r = await runCli(['flows', '--json', '-n', ...args], { netns: name });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    return JSON.parse(r.stdout) as FlowRow[];
  };

  it('discovers the namespace’s addresses and reports passive, active and local flows', async () => {
    const rows = (await flows(H)).filter((f) => f.protocol === 'tcp' || f.protocol === 'udp');
    assert.deepStrictEqual(rows.map(short).sort(), [
      'active tcp 10.9.0.1:many 10.9.0.2:9001 x2',
      'active tcp fd00:99::1:many fd00:99::2:9001 x1',
      'active udp 10.9.0.1:many 10.9.0.2:5302 x1',
      // the listener bound to one address; the kernel picked the primary address as the client's
      'local tcp 10.9.0.11:8002 10.9.0.1:many x1',
      'local tcp 127.0.0.1:8001 127.0.0.1:many x2',
      'passive tcp 10.9.0.11:8002 10.9.0.2:many x1',
      'passive tcp 10.9.0.1:8001 10.9.0.2:many x3',
      'passive udp 10.9.0.1:5301 10.9.0.2:many x1',
    ]);
    const stat = (s: string): FlowRow['stat'] => rows.find((f) => short(f) === s)!.stat;
    // UDP: every datagram is IPv4 (20) + UDP (8) + payload, counted exactly
    assert.deepStrictEqual(stat('passive udp 10.9.0.1:5301 10.9.0.2:many x1'), {
      total_inbound_packets: 2, total_inbound_bytes: 256, total_outbound_packets: 2, total_outbound_bytes: 256,
    });
    assert.deepStrictEqual(stat('active udp 10.9.0.1:many 10.9.0.2:5302 x1'), {
      total_inbound_packets: 3, total_inbound_bytes: 234, total_outbound_packets: 3, total_outbound_bytes: 234,
    });
    // TCP: the payload each way plus headers; the side that sent 1000/2000 bytes is the right one
    const tcp = (s: string, inMin: number, outMin: number): void => {
      const st = stat(s);
      assert.ok(st.total_inbound_bytes >= inMin && st.total_inbound_bytes < inMin + 1000, `${s} in ${st.total_inbound_bytes}`);
      assert.ok(st.total_outbound_bytes >= outMin && st.total_outbound_bytes < outMin + 1000, `${s} out ${st.total_outbound_bytes}`);
      assert.ok(st.total_inbound_packets >= 3 && st.total_outbound_packets >= 3, `${s} packets`);
    };
    tcp('passive tcp 10.9.0.1:8001 10.9.0.2:many x3', 3000, 1500);
    tcp('passive tcp 10.9.0.11:8002 10.9.0.2:many x1', 2000, 500);
    tcp('active tcp 10.9.0.1:many 10.9.0.2:9001 x2', 1000, 2000);
    tcp('local tcp 127.0.0.1:8001 127.0.0.1:many x2', 2000, 1000);
  });

  it('--listening keeps passive flows of listeners bound to any and to one address', async () => {
    const rows = await flows(H, ['--passive', '--listening', '-p', 'tcp']);
    assert.deepStrictEqual(rows.map(short), [
      'passive tcp 10.9.0.1:8001 10.9.0.2:many x3',
      'passive tcp 10.9.0.11:8002 10.9.0.2:many x1',
    ]);
  });

  it('the router sees forward flows, with the NAT target of the port forward', async () => {
    const rows = (await flows(R)).filter((f) => f.protocol === 'tcp' || f.protocol === 'udp');
    assert.deepStrictEqual(rows.map((f) => [short(f), f.nat_target]).sort(), [
      ['forward tcp 10.8.1.2:many 10.8.1.1:8080 x2', { addr: '10.8.2.2', port: 80 }],
      ['forward tcp 10.8.1.2:many 10.8.2.2:80 x1', null],
      ['forward udp 10.8.1.2:many 10.8.2.2:5303 x1', null],
    ]);
    const udp = rows.find((f) => f.protocol === 'udp')!;
    // forward = original direction = outbound; return = reply = inbound
    assert.deepStrictEqual(udp.stat, { total_inbound_packets: 2, total_inbound_bytes: 456, total_outbound_packets: 2, total_outbound_bytes: 456 });
  });

  it('-n sends no DNS query; without it every peer is asked once and a dead resolver leaves them numeric', async () => {
    // `ip netns exec` bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf
    const etc = join('/etc/netns', H);
    const createdRoot = !existsSync('/etc/netns');
    mkdirSync(etc, { recursive: true });
    try {
      writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\n');
      let queries = 0;
      await start(H, ['dns'], () => void queries++);
      const numeric = await runCli(['flows', '--json', '-n'], { netns: H });
      assert.equal(numeric.code, 0);
      assert.equal(queries, 0);
      const named = await runCli(['flows', '--json', '--dns-timeout', '300'], { netns: H });
      assert.equal(named.code, 0);
      // loopback may be named by /etc/hosts (c-ares reads it first); every other peer asks the dead server
      const rows = (JSON.parse(named.stdout) as FlowRow[]).filter((f) => f.peer.addr !== '127.0.0.1' && f.peer.addr !== '::1');
      assert.deepStrictEqual(new Set(rows.map((f) => f.peer.name)), new Set([null]));
      const peers = new Set(rows.map((f) => f.peer.addr)).size;
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(queries >= peers, `${queries} queries for ${peers} peers`);
    } finally {
      rmSync(etc, { recursive: true, force: true });
      if (createdRoot && readdirSync('/etc/netns').length === 0) rmdirSync('/etc/netns');
    }
  });
});
