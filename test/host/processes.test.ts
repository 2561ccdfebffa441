// The socket tables and the fd walk on real sockets of this test process: a TCP server on [::]
// (dual-stack, so its IPv4 client shows as ::ffff:127.0.0.1 in tcp6), its client, and a UDP
// socket; read back from /proc/net and /proc/PID/fd as --processes reads them.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket as NetSocket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { containerOfCgroup } from '../../src/host/containers.js';
import { ProcessTable, socketPids } from '../../src/host/processes.js';
import { parseSocketTable, readSockets, unmapIPv4, type Socket } from '../../src/host/sockets.js';

describe('sockets and their processes, live', () => {
  let server: Server;
  let client: NetSocket;
  let accepted: NetSocket;
  const udp = createSocket('udp4');
  let port = 0;
  let udpPort = 0;

  before(async () => {
    server = createServer((s) => (accepted = s));
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    port = (server.address() as { port: number }).port;
    client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.on('connect', resolve));
    while (accepted === undefined) await new Promise((r) => setTimeout(r, 10));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    udpPort = udp.address().port;
  });
  after(() => {
    client.destroy();
    accepted?.destroy();
    server.close();
    udp.close();
  });

  it('reads the listener, both ends of the connection (IPv4-mapped peers unmapped) and the bound UDP socket', async () => {
    const mine = (await readSockets()).filter((s) => s.local.port === port || s.remote.port === port || s.local.port === udpPort);
    const shape = (s: Socket): string => `${s.protocol} ${s.local.addr}:${s.local.port === port ? 'P' : s.local.port === udpPort ? 'U' : 'eph'} -> ${s.remote.addr}:${s.remote.port === port ? 'P' : s.remote.port === 0 ? 0 : 'eph'} ${s.listening ? 'listening' : 'connected'}`;
    assert.deepStrictEqual(mine.map(shape).sort(), [
      'tcp 127.0.0.1:P -> 127.0.0.1:eph connected', // the accepted end, in tcp6 as ::ffff:127.0.0.1
      'tcp 127.0.0.1:eph -> 127.0.0.1:P connected',
      'tcp :::P -> :::0 listening',
      'udp 127.0.0.1:U -> 0.0.0.0:0 listening',
    ]);
    // every one is a socket of this process, and of no other
    const pids = socketPids(new Set(mine.map((s) => s.inode)));
    assert.deepStrictEqual(mine.map((s) => pids.get(s.inode)), mine.map(() => [process.pid]));
    assert.deepStrictEqual(new ProcessTable().info(process.pid), {
      pid: process.pid, comm: readFileSync('/proc/self/comm', 'utf8').trim(), user: 'root', container: null,
    });
  });

  it('socketPids asks for nothing when given no inodes, and a pid that has gone is null', () => {
    assert.deepStrictEqual([...socketPids(new Set())], []);
    assert.equal(new ProcessTable().info(2 ** 22 + 1), null);
  });
});

describe('the socket table text', () => {
  it('unmaps ::ffff:a.b.c.d only, and skips inode 0 (a socket being torn down)', () => {
    assert.deepStrictEqual(['::ffff:10.0.0.1', '::ffff:a00:1', '::ffff:7f00:1', 'fd00::1', '::'].map(unmapIPv4), ['10.0.0.1', '10.0.0.1', '127.0.0.1', 'fd00::1', '::']);
    // two lines of /proc/net/tcp: a TIME_WAIT (inode 0) and a listener
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 0100007F:D2F2 06 00000000:00000000 03:00000A1B 00000000     0        0 0 3 0000000000000000',
      '   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21412 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    assert.deepStrictEqual(parseSocketTable(text, 'tcp', true), [
      { protocol: 'tcp', local: { addr: '0.0.0.0', port: 22 }, remote: { addr: '0.0.0.0', port: 0 }, listening: true, inode: 21412 },
    ]);
  });
});

describe('containers from /proc/PID/cgroup', () => {
  // hand-written: no container runtime runs on the test machine; the shapes are each runtime's
  const ID = '3f4e1b2c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c';
  it('names docker, containerd (CRI and cgroupfs kubepods), cri-o, podman and lxc; a host process has none', () => {
    assert.deepStrictEqual([
      `0::/system.slice/docker-${ID}.scope\n`,
      `12:memory:/docker/${ID}\n0::/\n`,
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f5e7a2b_1c3d_4e5f_8a9b_0c1d2e3f4a5b.slice/cri-containerd-${ID}.scope\n`,
      `0::/kubepods/besteffort/pod0f5e7a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b/${ID}\n`,
      `0::/machine.slice/crio-${ID}.scope\n`,
      `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container\n`,
      '0::/lxc.payload.web01/system.slice/nginx.service\n',
      '0::/user.slice/user-0.slice/session-3.scope\n',
    ].map((text) => containerOfCgroup(text, (id) => (id === ID ? 'web' : null))), [
      { runtime: 'docker', id: ID.slice(0, 12), name: 'web', pod: null },
      { runtime: 'docker', id: ID.slice(0, 12), name: 'web', pod: null },
      { runtime: 'containerd', id: ID.slice(0, 12), name: null, pod: '0f5e7a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b' },
      { runtime: 'containerd', id: ID.slice(0, 12), name: null, pod: '0f5e7a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b' },
      { runtime: 'cri-o', id: ID.slice(0, 12), name: null, pod: null },
      { runtime: 'podman', id: ID.slice(0, 12), name: null, pod: null },
      { runtime: 'lxc', id: 'web01', name: 'web01', pod: null },
      undefined,
    ]);
  });
});
