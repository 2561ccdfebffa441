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
// Memory is one entry per flow: the aggregator keeps a Map keyed by the flow's identity.

import { PORT_PROTOCOLS, type Conn, type Family } from '../model.js';
import { parseIPv4, parseIPv6 } from '../parse/address.js';

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

function portKey(p: FlowPort): string {
  return p === undefined ? '-' : String(p);
}

/** Sums connections into flows; one Map entry per flow, never one per connection. */
export class HostFlowAggregator {
  private readonly flows = new Map<string, HostFlow>();
  private readonly local: ReadonlySet<string>;

  constructor(local: ReadonlySet<string>) {
    this.local = local;
  }

  add(c: Conn): void {
    const k = classify(c, this.local);
    const nat = k.natTarget ? `${k.natTarget.addr}|${portKey(k.natTarget.port)}` : '';
    const key = `${k.direction}|${c.protonum}|${k.local.addr}|${portKey(k.local.port)}|${k.peer.addr}|${portKey(k.peer.port)}|${nat}`;
    let flow = this.flows.get(key);
    if (!flow) {
      flow = {
        direction: k.direction, protocol: c.protocol, protonum: c.protonum, family: c.family,
        local: k.local, peer: k.peer, natTarget: k.natTarget,
        connections: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
      };
      this.flows.set(key, flow);
    }
    flow.connections++;
    const o = c.original;
    const r = c.reply;
    if (o.packets === undefined && r.packets === undefined) return;
    flow.counted++;
    const out = k.originalIsOutbound ? o : r;
    const inb = k.originalIsOutbound ? r : o;
    flow.outPackets += out.packets ?? 0;
    flow.outBytes += out.bytes ?? 0;
    flow.inPackets += inb.packets ?? 0;
    flow.inBytes += inb.bytes ?? 0;
  }

  get size(): number {
    return this.flows.size;
  }

  /** The flows, in no particular order (sortFlows gives the stable one). */
  values(): HostFlow[] {
    return [...this.flows.values()];
  }
}

export type FlowSortKey = 'connections' | 'bytes' | 'packets' | 'peer' | 'port';
export const FLOW_SORT_KEYS: readonly FlowSortKey[] = ['bytes', 'connections', 'packets', 'peer', 'port'];

/** Address order: IPv4 before IPv6, then numerically (10.0.0.9 before 10.0.0.10). */
export function compareAddresses(a: string, b: string): number {
  if (a === b) return 0;
  const a4 = parseIPv4(a);
  const b4 = parseIPv4(b);
  if (a4 !== undefined || b4 !== undefined) {
    if (a4 === undefined) return 1;
    if (b4 === undefined) return -1;
    return a4 - b4;
  }
  const a6 = parseIPv6(a);
  const b6 = parseIPv6(b);
  if (a6 && b6) {
    for (let i = 0; i < 8; i++) if (a6[i] !== b6[i]) return a6[i]! - b6[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** undefined < numbers (ascending) < 'many' */
function comparePorts(a: FlowPort, b: FlowPort): number {
  const rank = (p: FlowPort): number => (p === undefined ? -1 : p === 'many' ? 65536 * 65536 : p);
  return rank(a) - rank(b);
}

/** The service port of a flow: what `--sort port` and `--aport/--pport` look at. */
export function servicePort(f: HostFlow): FlowPort {
  return f.direction === 'active' || f.direction === 'forward' ? f.peer.port : f.local.port;
}

/** Total order over every flow field, so equal sort keys still print in one fixed order. */
export function compareFlowIdentity(a: HostFlow, b: HostFlow): number {
  return (
    DIRECTIONS.indexOf(a.direction) - DIRECTIONS.indexOf(b.direction) ||
    a.protonum - b.protonum ||
    (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0) ||
    compareAddresses(a.local.addr, b.local.addr) ||
    comparePorts(a.local.port, b.local.port) ||
    compareAddresses(a.peer.addr, b.peer.addr) ||
    comparePorts(a.peer.port, b.peer.port) ||
    compareAddresses(a.natTarget?.addr ?? '', b.natTarget?.addr ?? '') ||
    comparePorts(a.natTarget?.port, b.natTarget?.port)
  );
}

const bytesOf = (f: HostFlow): number => f.inBytes + f.outBytes;
const packetsOf = (f: HostFlow): number => f.inPackets + f.outPackets;

/** Sort a copy: the key (largest first for counts, ascending for peer/port), then a fixed tiebreak. */
export function sortFlows(flows: readonly HostFlow[], key: FlowSortKey = 'bytes'): HostFlow[] {
  const byKey: Record<FlowSortKey, (a: HostFlow, b: HostFlow) => number> = {
    bytes: (a, b) => bytesOf(b) - bytesOf(a) || b.connections - a.connections,
    connections: (a, b) => b.connections - a.connections || bytesOf(b) - bytesOf(a),
    packets: (a, b) => packetsOf(b) - packetsOf(a) || b.connections - a.connections,
    peer: (a, b) => compareAddresses(a.peer.addr, b.peer.addr),
    port: (a, b) => comparePorts(servicePort(a), servicePort(b)),
  };
  const primary = byKey[key];
  return [...flows].sort((a, b) => primary(a, b) || compareFlowIdentity(a, b));
}

export interface FlowSelection {
  /** directions to keep; empty = all */
  directions?: readonly Direction[];
  /** remote ports of active flows to keep (--aport); empty = all */
  activePorts?: ReadonlySet<number>;
  /** local ports of passive flows to keep (--pport); empty = all */
  passivePorts?: ReadonlySet<number>;
  /** "protocol/port" keys with a listening socket (--listening): passive flows without one go */
  listening?: ReadonlySet<string>;
}

/** Compile the flow-level options once into a predicate. */
export function compileFlowSelection(sel: FlowSelection): (f: HostFlow) => boolean {
  const dirs = sel.directions && sel.directions.length > 0 ? new Set(sel.directions) : undefined;
  const aports = sel.activePorts && sel.activePorts.size > 0 ? sel.activePorts : undefined;
  const pports = sel.passivePorts && sel.passivePorts.size > 0 ? sel.passivePorts : undefined;
  const listening = sel.listening;
  return (f) => {
    if (dirs && !dirs.has(f.direction)) return false;
    if (f.direction === 'active' && aports && !(typeof f.peer.port === 'number' && aports.has(f.peer.port))) return false;
    if (f.direction === 'passive') {
      if (pports && !(typeof f.local.port === 'number' && pports.has(f.local.port))) return false;
      if (listening && !listening.has(`${f.protocol}/${String(f.local.port)}`)) return false;
    }
    return true;
  };
}
