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
// as reply destination, so that alone never makes a flow active (README, "The four arrows").
//
// ICMP groups by the request type (it stands where the server port stands), GRE by key.
// Memory is one entry per flow: the aggregator keeps an index keyed by the flow's identity.
//
// The flows live in a flow table (flow-table.ts: keys → sums); the direction rule is directionOf,
// and count() is the one way a connection gets into a flow.
//
// Longer than 250 lines: the flow objects made from the table (view, flow, values) and a worker's
// part (part, absorb) read the aggregator's own numbering of addresses and kinds.

import { PORT_PROTOCOLS, type Conn, type Family } from '../model.js';
import {
  BYTES, DPORT, DSTKEY, NUMS, ORIG_DST, ORIG_SRC, PACKETS, REPLY_DST, REPLY_SRC, scanOfConn, SPORT, SRCKEY, TYPE, type ConnScan,
} from '../parse/conn-bytes.js';
import { AddressNumbers } from './address-numbers.js';
import { FlowTable, K, K_KIND, K_LOCAL, K_LPORT, K_NAT, K_NPORT, K_PEER, K_PPORT, S } from './flow-table.js';

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

/** True when a flow's original direction is the host's outbound one (active, forward). */
export function originalIsOutbound(direction: Direction): boolean {
  return direction === 'active' || direction === 'forward';
}

/** A flow port as a number: 0–65535, 'many' 65536, none 65537. */
const PORT_MANY = 65536;
const PORT_NONE = 65537;
/** The port a port code stands for (FlowPart.keys hold codes). */
export const portOf = (code: number): FlowPort => (code === PORT_NONE ? undefined : code === PORT_MANY ? 'many' : code);

/** Flag bits per address id. */
const IS_LOCAL = 1;
const IS_UNSPECIFIED = 2;

/** Direction numbers (their index in DIRECTIONS). */
const PASSIVE = 0;
const ACTIVE = 1;
const LOCAL = 2;
const FORWARD = 3;

/**
 * The direction rule (this file's header), the one place it is: from the flags (IS_LOCAL,
 * IS_UNSPECIFIED) of the client (original source), the reply destination and the server (reply
 * source), the direction's number.
 */
function directionOf(client: number, replyDst: number, server: number): number {
  const clientLocal = (client & IS_LOCAL) !== 0 || ((client & IS_UNSPECIFIED) !== 0 && (replyDst & IS_LOCAL) !== 0);
  const serverLocal = (server & IS_LOCAL) !== 0;
  if (clientLocal) return serverLocal ? LOCAL : ACTIVE;
  return serverLocal ? PASSIVE : FORWARD;
}

/**
 * A flow's identity in compact form, as a worker hands it back (structured clone of a few typed
 * arrays and two string lists, not 87k objects): what `HostFlowAggregator.absorb` adds up.
 */
export interface FlowPart {
  addresses: string[];
  /** [protocol, protonum, family] per kind index */
  kinds: Array<[string, number, Family]>;
  /** K int32 per flow (see K_* in flow-table.ts) */
  keys: Int32Array;
  /** 6 per flow: connections, counted, inPackets, inBytes, outPackets, outBytes */
  sums: Float64Array;
}

/**
 * Sums connections into flows; one entry per flow, never one per connection. Addresses get a
 * small number on first sight, which also carries "is local"/"is unspecified", so classifying a
 * connection allocates nothing; the flow is found and summed in the flow table. HostFlow objects
 * are made only when asked for.
 */
export class HostFlowAggregator {
  private flags = new Uint8Array(1024);
  private readonly kindIds = new Map<string, number>();
  private readonly kinds: Array<[string, number, Family]> = [];
  /** kindFor's cache, by protonum * 2 + (ipv6 ? 1 : 0) */
  private readonly kindCode = new Int32Array(512);
  private readonly kindPorts = new Uint8Array(512);
  private readonly kindProtocol: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);
  /** whether the protocol of the last kindFor() groups by port */
  private lastKindPorts = false;
  /** address numbers (by value, or by text where the scan has it), with their flags */
  private readonly numbers = new AddressNumbers((id, addr) => this.flagAddress(id, addr));
  private readonly table = new FlowTable();
  /** flow objects, made only when asked for (add() for top; values() and flow() for the rest) */
  private readonly list: Array<HostFlow | undefined> = [];
  /** view()'s object */
  private readonly shown = emptyFlow();
  private readonly shownNat: { addr: string; port: FlowPort } = { addr: '', port: undefined };

  constructor(local: ReadonlySet<string>) {
    for (const a of local) {
      // (numbered first: a new number may give this.flags a bigger array)
      const id = this.numbers.of(a);
      this.flags[id]! |= IS_LOCAL;
    }
  }

  /** how many flows */
  get size(): number {
    return this.table.size;
  }

  /** A new address's flags, in room for its number. */
  private flagAddress(id: number, addr: string): void {
    if (id >= this.flags.length) {
      const bigger = new Uint8Array(this.flags.length * 2);
      bigger.set(this.flags);
      this.flags = bigger;
    }
    this.flags[id] = addr === '0.0.0.0' || addr === '::' ? IS_UNSPECIFIED : 0;
  }

  private kindOf(protocol: string, protonum: number, family: Family): number {
    const text = protocol + '|' + protonum + '|' + family;
    let k = this.kindIds.get(text);
    if (k === undefined) {
      k = this.kinds.length;
      this.kindIds.set(text, k);
      this.kinds.push([protocol, protonum, family]);
    }
    return k;
  }

  /**
   * The kind number of (protocol, protonum, family), cached by protonum and family (lines of
   * several protocols alternate: a string key per line cost a concatenation and a Map lookup);
   * sets lastKindPorts.
   */
  private kindFor(protocol: string, protonum: number, family: Family): number {
    const at = protonum * 2 + (family === 'ipv6' ? 1 : 0);
    // (both parsers take protocol numbers 0–255 only)
    if (this.kindProtocol[at] !== protocol) {
      this.kindCode[at] = this.kindOf(protocol, protonum, family);
      this.kindPorts[at] = PORT_PROTOCOLS.has(protocol) ? 1 : 0;
      this.kindProtocol[at] = protocol;
    }
    this.lastKindPorts = this.kindPorts[at] === 1;
    return this.kindCode[at]!;
  }

  /** Counts one record into its flow and returns that flow as an object (top keys its rows by it). */
  add(c: Conn): HostFlow {
    return this.withSums(this.count(scanOfConn(c)));
  }

  /**
   * Counts one connection into its flow and returns the flow's number (no object is made).
   * Addresses are looked up by their value (no text, no string hashing): what makes `flows` on a
   * big table cheap.
   */
  count(s: ConnScan): number {
    const kind = this.kindFor(s.protocol, s.protonum, s.familyName);
    const n = s.nums;
    // the server's port, or what stands in its place: the ICMP request type, the GRE keys
    const type = n[TYPE]!;
    const ports = this.lastKindPorts;
    const port = portCode(ports ? n[NUMS + SPORT]! : type >= 0 ? type : n[NUMS + SRCKEY]!);
    const requested = portCode(ports ? n[DPORT]! : type >= 0 ? type : n[DSTKEY]!);
    const client = this.numbers.ofScan(s, ORIG_SRC);
    const server = this.numbers.ofScan(s, REPLY_SRC);
    // the reply destination matters only for an unspecified client, the original one only for a
    // forwarded flow: on a host's table (mostly active or passive lines) neither is looked up
    const replyDst = (this.flags[client]! & IS_UNSPECIFIED) !== 0 ? this.numbers.ofScan(s, REPLY_DST) : -1;
    // (read after the lookups, which may have grown the flags for a new address)
    const flags = this.flags;
    const direction = directionOf(flags[client]!, replyDst < 0 ? 0 : flags[replyDst]!, flags[server]!);
    const many = port === PORT_NONE ? PORT_NONE : PORT_MANY;
    const key = direction * 65536 + kind;
    let f: number;
    if (direction === ACTIVE) {
      f = this.table.find(replyDst < 0 ? client : replyDst, server, key, many, port, 0, 0);
    } else if (direction !== FORWARD) {
      f = this.table.find(server, client, key, port, many, 0, 0);
    } else {
      // the NAT target: where DNAT sent it, when that is not the original destination
      const origDst = this.numbers.ofScan(s, ORIG_DST);
      const nat = server !== origDst || port !== requested;
      f = this.table.find(client, origDst, key, many, requested, nat ? server + 1 : 0, nat ? port : 0);
    }
    const op = n[PACKETS]!;
    const rp = n[NUMS + PACKETS]!;
    const ob = Math.max(n[BYTES]!, 0);
    const rb = Math.max(n[NUMS + BYTES]!, 0);
    const counted = op >= 0 || rp >= 0;
    // originalIsOutbound, on the direction's number
    if (direction === ACTIVE || direction === FORWARD) this.table.count(f, counted, Math.max(rp, 0), rb, Math.max(op, 0), ob);
    else this.table.count(f, counted, Math.max(op, 0), ob, Math.max(rp, 0), rb);
    return f;
  }

  /** Flow number f as an object with its counters as they are now. */
  private withSums(f: number): HostFlow {
    return this.sumsInto(f, this.flowAt(f));
  }

  /** Flow number f's counters written into `flow`. */
  private sumsInto(f: number, flow: HostFlow): HostFlow {
    const b = f * S;
    const sums = this.table.sums;
    flow.connections = sums[b]!;
    flow.counted = sums[b + 1]!;
    flow.inPackets = sums[b + 2]!;
    flow.inBytes = sums[b + 3]!;
    flow.outPackets = sums[b + 4]!;
    flow.outBytes = sums[b + 5]!;
    return flow;
  }

  /**
   * Flow number f's identity written into `flow` (its endpoints' fields; a NAT target into
   * `nat`, or a new object when none is given).
   */
  private identityInto(f: number, flow: HostFlow, nat?: { addr: string; port: FlowPort }): HostFlow {
    const keys = this.table.keys;
    const addresses = this.numbers.addresses;
    const b = f * K;
    const kind = keys[b + K_KIND]!;
    const natId = keys[b + K_NAT]!;
    const [protocol, protonum, family] = this.kinds[kind & 0xffff]!;
    flow.direction = DIRECTIONS[kind >>> 16]!;
    flow.protocol = protocol;
    flow.protonum = protonum;
    flow.family = family;
    flow.local.addr = addresses[keys[b + K_LOCAL]!]!;
    flow.local.port = portOf(keys[b + K_LPORT]!);
    flow.peer.addr = addresses[keys[b + K_PEER]!]!;
    flow.peer.port = portOf(keys[b + K_PPORT]!);
    if (natId === 0) {
      flow.natTarget = undefined;
    } else {
      flow.natTarget = nat ?? { addr: '', port: undefined };
      flow.natTarget.addr = addresses[natId - 1]!;
      flow.natTarget.port = portOf(keys[b + K_NPORT]!);
    }
    return flow;
  }

  /** Flow number f as an object (made once, cached; counters as of its last add()/values()). */
  private flowAt(f: number): HostFlow {
    let flow = this.list[f];
    if (flow !== undefined) return flow;
    flow = this.identityInto(f, emptyFlow());
    while (this.list.length < f) this.list.push(undefined);
    this.list[f] = flow;
    return flow;
  }

  /** Flow number f as a new object with its counters as they are now (not kept here). */
  flow(f: number): HostFlow {
    const v = this.view(f);
    return { ...v, local: { ...v.local }, peer: { ...v.peer }, natTarget: v.natTarget === undefined ? undefined : { ...v.natTarget } };
  }

  /**
   * Flow number f in one reused object, overwritten by the next call: for writing ~90k flows
   * out one at a time without making (and collecting) ~90k objects (README, "Performance").
   */
  view(f: number): HostFlow {
    return this.sumsInto(f, this.identityInto(f, this.shown, this.shownNat));
  }

  /** The flows as they are, in compact form, without copying (read them before counting more). */
  columns(): FlowPart {
    const n = this.size;
    return { addresses: this.numbers.addresses, kinds: this.kinds, keys: this.table.keys.subarray(0, n * K), sums: this.table.sums.subarray(0, n * S) };
  }

  /** The flows in compact form (for a worker's answer). */
  part(): FlowPart {
    const n = this.size;
    return { addresses: this.numbers.addresses.slice(), kinds: this.kinds.slice(), keys: this.table.keys.slice(0, n * K), sums: this.table.sums.slice(0, n * S) };
  }

  /** Adds another aggregator's flows (a part of the same table) into this one. */
  absorb(p: FlowPart): void {
    const addr = new Int32Array(p.addresses.length);
    for (let i = 0; i < p.addresses.length; i++) addr[i] = this.numbers.of(p.addresses[i]!);
    const kind = p.kinds.map(([protocol, protonum, family]) => this.kindOf(protocol, protonum, family));
    const k = p.keys;
    for (let f = 0, n = p.sums.length / S; f < n; f++) {
      const b = f * K;
      const nat = k[b + K_NAT]!;
      const code = k[b + K_KIND]!;
      const into = this.table.find(addr[k[b + K_LOCAL]!]!, addr[k[b + K_PEER]!]!, (code >>> 16) * 65536 + kind[code & 0xffff]!,
        k[b + K_LPORT]!, k[b + K_PPORT]!, nat === 0 ? 0 : addr[nat - 1]! + 1, k[b + K_NPORT]!);
      this.table.addSums(into, p.sums, f);
    }
  }

  /** The flows, in first-seen order (sortFlowIds gives the fixed one), with their counters. */
  values(): HostFlow[] {
    const out: HostFlow[] = new Array<HostFlow>(this.size);
    for (let f = 0; f < this.size; f++) out[f] = this.withSums(f);
    return out;
  }
}

/** A port, ICMP type or GRE key as a port code (-1, none: PORT_NONE). */
function portCode(n: number): number {
  return n < 0 ? PORT_NONE : n;
}

/** A flow with no identity and no counts yet (identityInto and sumsInto fill it). */
function emptyFlow(): HostFlow {
  return {
    direction: 'active', protocol: '', protonum: 0, family: 'ipv4', local: { addr: '', port: undefined }, peer: { addr: '', port: undefined },
    natTarget: undefined, connections: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
  };
}
