// Which sockets a flow can own (SocketIndex): the rules of aggregate/flow-processes.ts on socket
// records shaped as /proc/net prints them (the live tables are read in test/host/processes.test.ts
// and test/integration/processes-netns.test.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SocketIndex } from '../../src/aggregate/flow-processes.js';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import type { Socket } from '../../src/host/sockets.js';

const sock = (inode: number, protocol: Socket['protocol'], local: string, remote: string, listening = false): Socket => {
  const split = (t: string): { addr: string; port: number } => {
    const i = t.lastIndexOf(':');
    return { addr: t.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(t.slice(i + 1)) };
  };
  return { protocol, local: split(local), remote: split(remote), listening, inode };
};

const flow = (direction: HostFlow['direction'], protocol: string, local: string, lport: HostFlow['local']['port'], peer: string, pport: HostFlow['peer']['port']): HostFlow => ({
  direction, protocol, protonum: 0, family: local.includes(':') ? 'ipv6' : 'ipv4', local: { addr: local, port: lport }, peer: { addr: peer, port: pport },
  natTarget: undefined, connections: 1, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
});

describe('SocketIndex.flowSockets', () => {
  const index = new SocketIndex([
    sock(1, 'tcp', '0.0.0.0:22', '0.0.0.0:0', true), // sshd listening everywhere
    sock(2, 'tcp', '10.0.0.1:22', '10.0.0.9:50000'), // accepted from 10.0.0.9
    sock(3, 'tcp', '10.0.0.1:22', '10.0.0.8:50001'), // accepted from another peer
    sock(4, 'tcp', '10.0.0.1:41000', '192.0.2.7:443'), // a client out
    sock(5, 'tcp', '10.0.0.2:41001', '192.0.2.7:443'), // a client out from another address
    sock(6, 'tcp', '[::]:80', '[::]:0', true), // dual-stack listener
    sock(7, 'tcp', '127.0.0.1:80', '127.0.0.1:39000'), // loopback: accepted (its IPv4-mapped form already unmapped)
    sock(8, 'tcp', '127.0.0.1:39000', '127.0.0.1:80'), // loopback: the client
    sock(9, 'udp', '0.0.0.0:53', '0.0.0.0:0', true), // a DNS server
    sock(10, 'raw', '0.0.0.0:1', '0.0.0.0:0', true), // raw ICMP (ping with CAP_NET_RAW)
    sock(11, 'icmp', '[::]:0', '[::]:0', true), // an ICMPv6 ping socket
    sock(12, 'raw', '0.0.0.0:6', '0.0.0.0:0', true), // raw TCP: no ICMP flow's
  ]);
  const cases: [string, HostFlow, { own: number[]; peer: number[] }][] = [
    ['passive: the listener and the accepted socket of that peer only', flow('passive', 'tcp', '10.0.0.1', 22, '10.0.0.9', 'many'), { own: [2, 1], peer: [] }],
    ['active: sockets to the server from the flow\'s address', flow('active', 'tcp', '10.0.0.1', 'many', '192.0.2.7', 443), { own: [4], peer: [] }],
    ['local: the server (a [::] listener serves IPv4 too), and the client as peer', flow('local', 'tcp', '127.0.0.1', 80, '127.0.0.1', 'many'), { own: [7, 6], peer: [8] }],
    ['passive udp: the bound socket', flow('passive', 'udp', '10.0.0.1', 53, '10.0.0.9', 'many'), { own: [9], peer: [] }],
    ['active icmp: raw ICMP sockets of the family', flow('active', 'icmp', '10.0.0.1', 'many', '192.0.2.7', 8), { own: [10], peer: [] }],
    ['active icmpv6: ping sockets of the family', flow('active', 'icmpv6', 'fd00::1', 'many', 'fd00::7', 128), { own: [11], peer: [] }],
    ['passive icmp: the kernel answers, no process', flow('passive', 'icmp', '10.0.0.1', 8, '10.0.0.9', 'many'), { own: [], peer: [] }],
    ['forward: no socket of this host', flow('forward', 'tcp', '10.0.0.5', 'many', '192.0.2.7', 443), { own: [], peer: [] }],
    ['sctp: no socket table', flow('passive', 'sctp', '10.0.0.1', 22, '10.0.0.9', 'many'), { own: [], peer: [] }],
  ];
  for (const [name, f, want] of cases) it(name, () => assert.deepStrictEqual(index.flowSockets(f), want));
});
