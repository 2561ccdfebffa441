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
// Longer than 250 lines: the flow table (int32 keys in open addressing, typed-array sums), the
// compact part a worker hands back and the reused view share one data layout.

import { PORT_PROTOCOLS, type Conn, type Family } from '../model.js';
import {
  BYTES, DPORT, NUMS, ORIG_DST, ORIG_SRC, PACKETS, REPLY_DST, REPLY_SRC, SPORT, TYPE, type ConnScan,
} from '../parse/conn-bytes.js';
import { AddressNumbers } from './address-numbers.js';

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

/** The identity of a flow as 8 int32 slots (one hash-table key; FlowPart.keys). */
export const K = 8;
export const K_LOCAL = 0; // address id
export const K_PEER = 1; // address id
export const K_KIND = 2; // direction (index in DIRECTIONS) * 2^16 + kind index (protocol, protonum, family)
export const K_LPORT = 3; // port codes
export const K_PPORT = 4;
export const K_NAT = 5; // NAT target address id + 1, 0 for none
export const K_NPORT = 6;
/** counters per flow (see FlowPart.sums) */
export const S = 6;

/**
 * A flow's identity in compact form, as a worker hands it back (structured clone of a few typed
 * arrays and two string lists, not 87k objects): what `HostFlowAggregator.absorb` adds up.
 */
export interface FlowPart {
  addresses: string[];
  /** [protocol, protonum, family] per kind index */
  kinds: Array<[string, number, Family]>;
  /** K int32 per flow (see K_*) */
  keys: Int32Array;
  /** 6 per flow: connections, counted, inPackets, inBytes, outPackets, outBytes */
  sums: Float64Array;
}

/**
 * Sums connections into flows; one entry per flow, never one per connection. Addresses get a
 * small number on first sight (one Map lookup of an already-hashed string), which also carries
 * "is local"/"is unspecified", so classifying a connection allocates nothing; the flow itself
 * is found in an open-addressing table of int32 keys (no key string, no nested Maps) and its
 * counters are summed in a Float64Array. HostFlow objects are made only when asked for.
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
  /** address ids (by text for records, by value for scanned lines), with their flags */
  private readonly numbers = new AddressNumbers((id, addr) => this.flagAddress(id, addr));
  private slots = new Int32Array(1 << 12).fill(-1);
  private keys = new Int32Array((1 << 11) * K);
  /** S doubles per flow: connections, counted, inPackets, inBytes, outPackets, outBytes */
  private sums = new Float64Array((1 << 11) * S);
  /** flow objects, made only when asked for (add() for top; values() and flow() for the rest) */
  private readonly list: Array<HostFlow | undefined> = [];
  /** how many flows */
  size = 0;
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

  /** Counts one connection into its flow and returns that flow (top keys its rows by it). */
  add(c: Conn): HostFlow {
    return this.withSums(this.count(c));
  }

  /** Flow number f as an object with its counters as they are now. */
  private withSums(f: number): HostFlow {
    return this.sumsInto(f, this.flowAt(f));
  }

  /** Flow number f's counters written into `flow`. */
  private sumsInto(f: number, flow: HostFlow): HostFlow {
    const b = f * S;
    const sums = this.sums;
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
    const keys = this.keys;
    const b = f * K;
    const kind = keys[b + K_KIND]!;
    const natId = keys[b + K_NAT]!;
    const [protocol, protonum, family] = this.kinds[kind & 0xffff]!;
    flow.direction = DIRECTIONS[kind >>> 16]!;
    flow.protocol = protocol;
    flow.protonum = protonum;
    flow.family = family;
    flow.local.addr = this.numbers.addresses[keys[b + K_LOCAL]!]!;
    flow.local.port = portOf(keys[b + K_LPORT]!);
    flow.peer.addr = this.numbers.addresses[keys[b + K_PEER]!]!;
    flow.peer.port = portOf(keys[b + K_PPORT]!);
    if (natId === 0) {
      flow.natTarget = undefined;
    } else {
      flow.natTarget = nat ?? { addr: '', port: undefined };
      flow.natTarget.addr = this.numbers.addresses[natId - 1]!;
      flow.natTarget.port = portOf(keys[b + K_NPORT]!);
    }
    return flow;
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

  /** Counts one connection into its flow and returns the flow's number (no object is made). */
  count(c: Conn): number {
    const o = c.original;
    const r = c.reply;
    const kind = this.kindFor(c.protocol, c.protonum, c.family);
    const ports = this.lastKindPorts;
    const port = ports ? r.sport ?? PORT_NONE : o.type !== undefined ? o.type : r.srckey !== undefined ? r.srckey : PORT_NONE;
    const requested = ports ? o.dport ?? PORT_NONE : o.type !== undefined ? o.type : o.dstkey !== undefined ? o.dstkey : PORT_NONE;
    const counted = o.packets !== undefined || r.packets !== undefined;
    return this.tally(kind, this.numbers.of(o.src), this.numbers.of(o.dst), this.numbers.of(r.src), this.numbers.of(r.dst), port, requested,
      counted, o.packets ?? 0, o.bytes ?? 0, r.packets ?? 0, r.bytes ?? 0);
  }

  /**
   * count() for a line the fast path scanned: the same flow, with addresses looked up by their
   * value (no text, no string hashing) — what makes `flows` on a big table cheap.
   */
  countScan(s: ConnScan): number {
    const kind = this.kindFor(s.protocol, s.protonum, s.familyName);
    const ports = this.lastKindPorts;
    const n = s.nums;
    // the fast path reads no GRE keys: ICMP types and ports only
    const type = n[TYPE]!;
    const port = ports ? n[NUMS + SPORT]! : type;
    const requested = ports ? n[DPORT]! : type;
    const op = n[PACKETS]!;
    const rp = n[NUMS + PACKETS]!;
    const client = this.numbers.ofScan(s, ORIG_SRC);
    const server = this.numbers.ofScan(s, REPLY_SRC);
    // tally reads the reply destination only for an unspecified client and the original one only
    // for a forwarded flow: on a host's table (97% active or passive lines) neither is looked up,
    // two address lookups less a line; -1 stands for "not needed"
    const replyDst = (this.flags[client]! & IS_UNSPECIFIED) !== 0 ? this.numbers.ofScan(s, REPLY_DST) : -1;
    // (read after the lookup, which may have grown the flags for a new address)
    const flags = this.flags;
    const clientLocal = (flags[client]! & IS_LOCAL) !== 0 || (replyDst >= 0 && (flags[replyDst]! & IS_LOCAL) !== 0);
    const origDst = clientLocal || (flags[server]! & IS_LOCAL) !== 0 ? -1 : this.numbers.ofScan(s, ORIG_DST);
    return this.tally(kind, client, origDst, server, replyDst,
      port < 0 ? PORT_NONE : port, requested < 0 ? PORT_NONE : requested, op >= 0 || rp >= 0,
      op < 0 ? 0 : op, Math.max(n[BYTES]!, 0), rp < 0 ? 0 : rp, Math.max(n[NUMS + BYTES]!, 0));
  }

  /**
   * The classification of the header on address ids and port codes, and the counters summed
   * into the flow; returns the flow's number.
   */
  private tally(
    kind: number, client: number, origDst: number, server: number, replyDst: number, port: number, requested: number,
    counted: boolean, op: number, ob: number, rp: number, rb: number,
  ): number {
    const flags = this.flags;
    const many = port === PORT_NONE ? PORT_NONE : PORT_MANY;
    const unspecified = (flags[client]! & IS_UNSPECIFIED) !== 0;
    const clientLocal = (flags[client]! & IS_LOCAL) !== 0 || (unspecified && (flags[replyDst]! & IS_LOCAL) !== 0);
    const serverLocal = (flags[server]! & IS_LOCAL) !== 0;
    let direction: number;
    let localId: number;
    let peerId: number;
    let lport: number;
    let pport: number;
    let nat = 0;
    let nport = 0;
    if (clientLocal && serverLocal) {
      direction = 2; localId = server; lport = port; peerId = client; pport = many;
    } else if (clientLocal) {
      direction = 1; localId = unspecified ? replyDst : client; lport = many; peerId = server; pport = port;
    } else if (serverLocal) {
      direction = 0; localId = server; lport = port; peerId = client; pport = many;
    } else {
      direction = 3; localId = client; lport = many; peerId = origDst; pport = requested;
      if (server !== peerId || port !== pport) {
        nat = server + 1;
        nport = port;
      }
    }
    const f = this.find(localId, peerId, direction * 65536 + kind, lport, pport, nat, nport);
    // counters live in one Float64Array (6 a flow, side by side): updating boxed double fields
    // of a flow object touched a separate heap number per field (measured: slower, more RSS)
    const sums = this.sums;
    const b = f * S;
    sums[b]!++;
    if (!counted) return f;
    sums[b + 1]!++;
    // active (1) and forward (3): originalIsOutbound's rule on the direction's number
    const outbound = direction === 1 || direction === 3;
    sums[b + 2]! += outbound ? rp : op;
    sums[b + 3]! += outbound ? rb : ob;
    sums[b + 4]! += outbound ? op : rp;
    sums[b + 5]! += outbound ? ob : rb;
    return f;
  }

  /** The flow with this identity, made on first sight. */
  private find(localId: number, peerId: number, kind: number, lport: number, pport: number, nat: number, nport: number): number {
    const h = flowHash(localId, peerId, kind, lport, pport, nat, nport);
    const mask = this.slots.length - 1;
    const keys = this.keys;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const f = this.slots[i]!;
      if (f < 0) return this.insert(i, localId, peerId, kind, lport, pport, nat, nport);
      const b = f * K;
      if (keys[b + K_LOCAL] === localId && keys[b + K_PEER] === peerId && keys[b + K_KIND] === kind &&
        keys[b + K_LPORT] === lport && keys[b + K_PPORT] === pport && keys[b + K_NAT] === nat && keys[b + K_NPORT] === nport) {
        return f;
      }
    }
  }

  private insert(slot: number, localId: number, peerId: number, kind: number, lport: number, pport: number, nat: number, nport: number): number {
    const f = this.size;
    if ((f + 1) * K > this.keys.length) {
      const bigger = new Int32Array(this.keys.length * 2);
      bigger.set(this.keys);
      this.keys = bigger;
      const sums = new Float64Array(this.sums.length * 2);
      sums.set(this.sums);
      this.sums = sums;
    }
    const b = f * K;
    const keys = this.keys;
    keys[b + K_LOCAL] = localId;
    keys[b + K_PEER] = peerId;
    keys[b + K_KIND] = kind;
    keys[b + K_LPORT] = lport;
    keys[b + K_PPORT] = pport;
    keys[b + K_NAT] = nat;
    keys[b + K_NPORT] = nport;
    this.slots[slot] = f;
    this.size = f + 1;
    // keep the table at most half full
    if (this.size * 2 > this.slots.length) this.grow();
    return f;
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

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    this.slots = slots;
    const keys = this.keys;
    for (let f = 0; f < this.size; f++) {
      const b = f * K;
      // re-find each flow's slot by its key (find() would insert: place by hand)
      const h = flowHash(keys[b + K_LOCAL]!, keys[b + K_PEER]!, keys[b + K_KIND]!, keys[b + K_LPORT]!, keys[b + K_PPORT]!, keys[b + K_NAT]!, keys[b + K_NPORT]!);
      const mask = slots.length - 1;
      let i = h & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = f;
    }
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
    return { addresses: this.numbers.addresses, kinds: this.kinds, keys: this.keys.subarray(0, n * K), sums: this.sums.subarray(0, n * S) };
  }

  /** The flows in compact form (for a worker's answer). */
  part(): FlowPart {
    const n = this.size;
    return { addresses: this.numbers.addresses.slice(), kinds: this.kinds.slice(), keys: this.keys.slice(0, n * K), sums: this.sums.slice(0, n * S) };
  }

  /** Adds another aggregator's flows (a part of the same table) into this one. */
  absorb(p: FlowPart): void {
    const addr = new Int32Array(p.addresses.length);
    for (let i = 0; i < p.addresses.length; i++) addr[i] = this.numbers.of(p.addresses[i]!);
    const kind = p.kinds.map(([protocol, protonum, family]) => this.kindOf(protocol, protonum, family));
    const k = p.keys;
    const s = p.sums;
    for (let f = 0, n = s.length / S; f < n; f++) {
      const b = f * K;
      const nat = k[b + K_NAT]!;
      const code = k[b + K_KIND]!;
      const into = this.find(addr[k[b + K_LOCAL]!]!, addr[k[b + K_PEER]!]!, (code >>> 16) * 65536 + kind[code & 0xffff]!,
        k[b + K_LPORT]!, k[b + K_PPORT]!, nat === 0 ? 0 : addr[nat - 1]! + 1, k[b + K_NPORT]!) * S;
      const t = f * S;
      const sums = this.sums;
      for (let j = 0; j < S; j++) sums[into + j]! += s[t + j]!;
    }
  }

  /** The flows, in first-seen order (sortFlowIds gives the fixed one), with their counters. */
  values(): HostFlow[] {
    const out: HostFlow[] = new Array<HostFlow>(this.size);
    for (let f = 0; f < this.size; f++) out[f] = this.withSums(f);
    return out;
  }
}

/** A flow with no identity and no counts yet (identityInto and sumsInto fill it). */
function emptyFlow(): HostFlow {
  return {
    direction: 'active', protocol: '', protonum: 0, family: 'ipv4', local: { addr: '', port: undefined }, peer: { addr: '', port: undefined },
    natTarget: undefined, connections: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
  };
}

/** The hash of a flow's identity (find() and grow() place flows by it). */
function flowHash(localId: number, peerId: number, kind: number, lport: number, pport: number, nat: number, nport: number): number {
  let h = Math.imul(localId, 0x9e3779b1) ^ Math.imul(peerId + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(kind + 0x165667b1, 0xc2b2ae3d);
  h ^= Math.imul(lport * 65539 + pport, 0x27d4eb2f) ^ Math.imul(nat * 65539 + nport, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
