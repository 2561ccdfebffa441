// Host flows: connections grouped the way an operator thinks of them — who this host talks to
// (active), who talks to it (passive), itself (local) and traffic it only routes (forward).
//
// The tuples and the local address set L decide, never port numbers: conntrack's original
// direction starts at the initiator, so the client is the original source and the server is the
// reply source (the real server after DNAT); the server's port is the reply source port.
//   client in L, server in L  → local    server:port <-> client:many
//   client in L               → active   client:many --> server:port
//   server in L               → passive  server:port <-- client:many
//   neither                   → forward  src:many ==> dst:port (nat target = the reply source
//                                         when DNAT changed it)
// "Client in L" also holds when the reply destination is in L and the original source is
// unspecified (0.0.0.0 / ::), the one tuple shape where the host's own traffic is only
// recognisable after SNAT. A forwarded, masqueraded connection also has the router's address
// as reply destination, so that alone never makes a flow active (see docs/flows.md).
//
// ICMP groups by the request type (it stands where the server port stands), GRE by key.
// Memory is one entry per flow: the aggregator keeps an index keyed by the flow's identity.

import { PORT_PROTOCOLS, type Conn, type Family } from '../model.js';

export type Direction = 'active' | 'passive' | 'local' | 'forward';
export const DIRECTIONS: readonly Direction[] = ['passive', 'active', 'local', 'forward'];

/** A port, `'many'` for the ephemeral side, or undefined for protocols without ports. */
export type FlowPort = number | 'many' | undefined;

export interface Endpoint {
  addr: string;
  port: FlowPort;
}

export interface HostFlow {
  direction: Direction;
  protocol: string;
  protonum: number;
  family: Family;
  /** passive/local: the server; active: the client; forward: the source */
  local: Endpoint;
  /** passive/local: the client; active: the server; forward: the original destination */
  peer: Endpoint;
  /** forward only: where DNAT sent it (reply source), when that differs from `peer` */
  natTarget: { addr: string; port: FlowPort } | undefined;
  connections: number;
  inPackets: number;
  inBytes: number;
  outPackets: number;
  outBytes: number;
  /** connections that carried packets=/bytes= (accounting was on when they were created) */
  counted: number;
}

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

/** True when a flow's original direction is the host's outbound one (active, forward). */
export function originalIsOutbound(direction: Direction): boolean {
  return direction === 'active' || direction === 'forward';
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

const DIRECTION_CODE: Record<Direction, number> = { passive: 0, active: 1, local: 2, forward: 3 };
/** A flow port as a number: 0–65535, 'many' 65536, none 65537. */
const portCode = (p: FlowPort): number => (p === undefined ? 65537 : p === 'many' ? 65536 : p);

/**
 * Sums connections into flows; one entry per flow, never one per connection. The index is
 * nested (local address → peer address → the rest of the identity) because short keys hash
 * faster than one long concatenated key: on a million-entry table this halves the grouping time.
 */
export class HostFlowAggregator {
  private readonly index = new Map<string, Map<string, Map<number | string, HostFlow>>>();
  private readonly list: HostFlow[] = [];
  private readonly local: ReadonlySet<string>;

  constructor(local: ReadonlySet<string>) {
    this.local = local;
  }

  /** Counts one connection into its flow and returns that flow (top keys its rows by it). */
  add(c: Conn): HostFlow {
    const k = classify(c, this.local);
    let byPeer = this.index.get(k.local.addr);
    if (byPeer === undefined) this.index.set(k.local.addr, (byPeer = new Map()));
    let byRest = byPeer.get(k.peer.addr);
    if (byRest === undefined) byPeer.set(k.peer.addr, (byRest = new Map()));
    // the rest of the identity as one number (direction, protocol, both ports: 44 bits, exact in
    // a double), which hashes without building a string per connection; a NAT target (forwarded
    // DNAT) is rare and keeps a string key
    const rest = k.natTarget === undefined
      ? ((DIRECTION_CODE[k.direction] * 256 + c.protonum) * 65538 + portCode(k.local.port)) * 65538 + portCode(k.peer.port)
      : k.direction + '|' + c.protonum + '|' + k.local.port + '|' + k.peer.port + '|' + k.natTarget.addr + '|' + k.natTarget.port;
    let flow = byRest.get(rest);
    if (flow === undefined) byRest.set(rest, (flow = this.newFlow(c, k)));
    flow.connections++;
    const o = c.original;
    const r = c.reply;
    if (o.packets === undefined && r.packets === undefined) return flow;
    flow.counted++;
    const out = k.originalIsOutbound ? o : r;
    const inb = k.originalIsOutbound ? r : o;
    flow.outPackets += out.packets ?? 0;
    flow.outBytes += out.bytes ?? 0;
    flow.inPackets += inb.packets ?? 0;
    flow.inBytes += inb.bytes ?? 0;
    return flow;
  }

  private newFlow(c: Conn, k: Classification): HostFlow {
    const flow: HostFlow = {
      direction: k.direction, protocol: c.protocol, protonum: c.protonum, family: c.family,
      local: k.local, peer: k.peer, natTarget: k.natTarget,
      connections: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
    };
    this.list.push(flow);
    return flow;
  }

  get size(): number {
    return this.list.length;
  }

  /** The flows, in first-seen order (sortFlows gives the stable one). */
  values(): HostFlow[] {
    return [...this.list];
  }
}
