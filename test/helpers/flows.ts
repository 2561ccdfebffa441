// Shared by the host-flow tests: the captures as Conns, flows as one readable line each.

import { readFileSync } from 'node:fs';
import { scanOfConn } from '../../src/parse/conn-bytes.js';
import { compareAddresses, compareFlowIdentity, comparePorts, type FlowSortKey } from '../../src/aggregate/flow-order.js';
import { sortFlowIds } from '../../src/aggregate/flow-id-order.js';
import { HostFlowAggregator, type Direction, type Endpoint, type FlowPort, type HostFlow } from '../../src/aggregate/host-flows.js';
import { parseIpAddrOutput } from '../../src/host/local-addresses.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { PORT_PROTOCOLS, type Conn } from '../../src/model.js';
import { fixture } from './cli.js';

export const LOCAL_HOST = parseIpAddrOutput(readFileSync(fixture('local-host/ip_o_addr.txt'), 'utf8'));
export const ROUTER = new Set(['127.0.0.1', '::1', '10.1.0.1', 'fd00:a1::1', '10.2.0.1', 'fd00:a2::1']);
/**
 * Local address sets for tests over every fixture: this host as each capture's host (and the
 * generator's), as a router between them, and as a stranger to all.
 */
export const FIXTURE_LOCAL_SETS: readonly (readonly string[])[] = [
  ['10.3.0.10', 'fd00:a3::10', '127.0.0.1', '::1'],
  ['10.0.0.1', '192.168.1.1', '10.1.0.1', 'fd00:a2::1', '10.0.1.5', '2001:db8:1::5'],
  [],
];

export function conns(rel: string): Conn[] {
  return readFileSync(fixture(rel), 'utf8').split('\n').map(parseConnLine).filter((c): c is Conn => c !== undefined);
}

export function aggregate(list: readonly Conn[], local: ReadonlySet<string>): HostFlow[] {
  const agg = new HostFlowAggregator(local);
  for (const c of list) agg.add(c);
  return agg.values();
}

export const ep = (addr: string, port: FlowPort): string => {
  const a = addr.includes(':') ? `[${addr}]` : addr;
  return port === undefined ? a : `${a}:${port}`;
};
export const ARROW = { active: '-->', passive: '<--', local: '<->', forward: '==>' } as const;

/** One flow as one line: direction, protocol, both ends, NAT target, connections, counters. */
export function line(f: HostFlow, counters = true): string {
  const nat = f.natTarget ? ` (nat ${ep(f.natTarget.addr, f.natTarget.port)})` : '';
  const c = counters ? ` in=${f.inPackets}/${f.inBytes} out=${f.outPackets}/${f.outBytes}` : '';
  return `${f.direction} ${f.protocol} ${ep(f.local.addr, f.local.port)} ${ARROW[f.direction]} ${ep(f.peer.addr, f.peer.port)}${nat} x${f.connections}${c}`;
}


/**
 * The flows order as the plain comparator over flow objects: the key (largest first for counts,
 * ascending for peer and the service port), then compareFlowIdentity. The reference the CLI's
 * sortFlowIds is held to, and a canonical order for comparing sets of flows.
 */
export function sortFlows(flows: readonly HostFlow[], key: FlowSortKey = 'bytes'): HostFlow[] {
  const bytes = (f: HostFlow): number => f.inBytes + f.outBytes;
  const packets = (f: HostFlow): number => f.inPackets + f.outPackets;
  const service = (f: HostFlow): FlowPort => (f.direction === 'active' || f.direction === 'forward' ? f.peer.port : f.local.port);
  const byKey: Record<FlowSortKey, (a: HostFlow, b: HostFlow) => number> = {
    bytes: (a, b) => bytes(b) - bytes(a) || b.connections - a.connections,
    connections: (a, b) => b.connections - a.connections || bytes(b) - bytes(a),
    packets: (a, b) => packets(b) - packets(a) || b.connections - a.connections,
    peer: (a, b) => compareAddresses(a.peer.addr, b.peer.addr),
    port: (a, b) => comparePorts(service(a), service(b)),
  };
  return [...flows].sort((a, b) => byKey[key](a, b) || compareFlowIdentity(a, b));
}

/** The flows of these connections in the order `ctflow flows` prints them (sortFlowIds). */
export function orderedFlows(list: readonly Conn[], local: ReadonlySet<string>, key: FlowSortKey = 'bytes'): HostFlow[] {
  const agg = new HostFlowAggregator(local);
  for (const c of list) agg.count(scanOfConn(c));
  return Array.from(sortFlowIds(agg.columns(), key), (f) => agg.flow(f));
}

/**
 * The direction rule written the plain way, on text and one connection at a time: the reference
 * the aggregator (which classifies on address ids) is tested against.
 */
export interface Classification {
  direction: Direction;
  local: Endpoint;
  peer: Endpoint;
  natTarget: { addr: string; port: FlowPort } | undefined;
  /** true when the original direction is the host's outbound one */
  originalIsOutbound: boolean;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/** The server-side "port": reply sport, ICMP request type, GRE key the server uses. */
function serverPort(c: Conn): FlowPort {
  if (PORT_PROTOCOLS.has(c.protocol)) return c.reply.sport;
  if (c.original.type !== undefined) return c.original.type;
  if (c.reply.srckey !== undefined) return c.reply.srckey;
  return undefined;
}

/** The port the client asked for (before DNAT). */
function requestedPort(c: Conn): FlowPort {
  if (PORT_PROTOCOLS.has(c.protocol)) return c.original.dport;
  if (c.original.type !== undefined) return c.original.type;
  if (c.original.dstkey !== undefined) return c.original.dstkey;
  return undefined;
}

/** Protocols without ports have no ephemeral side either. */
function manyOf(port: FlowPort): FlowPort {
  return port === undefined ? undefined : 'many';
}

/** Which flow one connection belongs to, given the local address set. */
export function classify(c: Conn, local: ReadonlySet<string>): Classification {
  const client = c.original.src;
  const server = c.reply.src;
  const port = serverPort(c);
  const many = manyOf(port);
  const clientLocal = local.has(client) || (UNSPECIFIED.has(client) && local.has(c.reply.dst));
  const serverLocal = local.has(server);
  if (clientLocal && serverLocal) {
    return {
      direction: 'local', local: { addr: server, port }, peer: { addr: client, port: many },
      natTarget: undefined, originalIsOutbound: false,
    };
  }
  if (clientLocal) {
    const addr = UNSPECIFIED.has(client) ? c.reply.dst : client;
    return {
      direction: 'active', local: { addr, port: many }, peer: { addr: server, port },
      natTarget: undefined, originalIsOutbound: true,
    };
  }
  if (serverLocal) {
    return {
      direction: 'passive', local: { addr: server, port }, peer: { addr: client, port: many },
      natTarget: undefined, originalIsOutbound: false,
    };
  }
  const dst = c.original.dst;
  const dport = requestedPort(c);
  const natTarget = server !== dst || port !== dport ? { addr: server, port } : undefined;
  return {
    direction: 'forward', local: { addr: client, port: many }, peer: { addr: dst, port: dport },
    natTarget, originalIsOutbound: true,
  };
}
