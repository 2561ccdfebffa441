// `--processes`: the processes behind a flow's ends on this host, found as `ss -p` finds them
// (socket inode → /proc/PID/fd). Which sockets a flow can own:
//   passive  the server: sockets bound to the local address (or 0.0.0.0 / ::) and the flow's port
//            that listen, or that are connected to the flow's peer (accepted, maybe in a child)
//   active   the client: sockets connected to the peer's address and port from the local address
//   local    both: the server as passive (`process`), the client as active (`peer_process`)
//   forward  none: no socket of this host carries it
// ICMP has no port: an active ping is owned by raw ICMP sockets and ping sockets of its family; a
// ping answered by the kernel has no process. An unconnected UDP client (sendto to many servers)
// has no remote address in the socket table, so active UDP flows find only connected sockets.
// Built once per run from the socket tables; the fd walk is done once (socketOwners).

import type { HostFlow } from './host-flows.js';
import type { Conn } from '../model.js';
import type { Socket, SocketProtocol } from '../host/sockets.js';
import { socketPids, type ProcessInfo, type ProcessTable } from '../host/processes.js';

const WILDCARDS = ['0.0.0.0', '::'];

/** A flow's sockets: those of its local end, and for a local flow those of its client. */
export interface FlowSockets {
  readonly own: readonly number[];
  readonly peer: readonly number[];
}

export interface FlowProcesses {
  process: readonly ProcessInfo[];
  /** local flows only: the client's processes */
  peerProcess: readonly ProcessInfo[] | undefined;
}

const socketProtocol = (protocol: string): SocketProtocol | undefined =>
  protocol === 'tcp' || protocol === 'udp' || protocol === 'udplite' ? protocol : undefined;

const NO_SOCKETS: FlowSockets = Object.freeze({ own: [], peer: [] });

export class SocketIndex {
  /** listeners, by protocol, local address and port */
  private readonly listeners = new Map<string, Socket[]>();
  /** connected sockets, by protocol, local address and port, and remote address */
  private readonly byPeer = new Map<string, Socket[]>();
  /** connected sockets, by protocol and remote address and port */
  private readonly byRemote = new Map<string, Socket[]>();
  private readonly icmp: Socket[] = [];
  /** every local and every remote port in the tables: most flows of a busy table are on no socket's port, and are let go without a key built */
  private readonly localPorts = new Set<number>();
  private readonly remotePorts = new Set<number>();

  constructor(sockets: readonly Socket[]) {
    const add = (map: Map<string, Socket[]>, key: string, s: Socket): void => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [s]);
      else list.push(s);
    };
    for (const s of sockets) {
      if (s.protocol === 'icmp' || (s.protocol === 'raw' && (s.local.port === 1 || s.local.port === 58))) {
        this.icmp.push(s);
        continue;
      }
      this.localPorts.add(s.local.port);
      this.remotePorts.add(s.remote.port);
      if (s.listening) {
        add(this.listeners, `${s.protocol}|${s.local.addr}|${s.local.port}`, s);
      } else {
        add(this.byPeer, `${s.protocol}|${s.local.addr}|${s.local.port}|${s.remote.addr}`, s);
        add(this.byRemote, `${s.protocol}|${s.remote.addr}|${s.remote.port}`, s);
      }
    }
  }

  /** Sockets serving addr:port to `client`: listeners (on the address or a wildcard) and accepted ones. */
  private servers(proto: SocketProtocol, addr: string, port: number, client: string): Socket[] {
    const out: Socket[] = [...(this.byPeer.get(`${proto}|${addr}|${port}|${client}`) ?? [])];
    for (const a of [addr, ...WILDCARDS]) out.push(...(this.listeners.get(`${proto}|${a}|${port}`) ?? []));
    return out;
  }

  /** Sockets of `local` connected to server:port. */
  private clients(proto: SocketProtocol, server: string, port: number, local: string): Socket[] {
    return (this.byRemote.get(`${proto}|${server}|${port}`) ?? []).filter((s) => s.local.addr === local || WILDCARDS.includes(s.local.addr));
  }

  /** ICMP sockets (raw or ping) of the flow's family on its local address or a wildcard. */
  private pingers(f: HostFlow): Socket[] {
    const v6 = f.family === 'ipv6';
    return this.icmp.filter((s) => s.local.addr.includes(':') === v6 && (s.protocol !== 'raw' || s.local.port === (v6 ? 58 : 1))
      && (s.local.addr === f.local.addr || WILDCARDS.includes(s.local.addr)));
  }

  /** The connected socket with exactly these ends (none for a protocol without a socket table). */
  exact(protocol: string, local: string, lport: number, remote: string, rport: number): number[] {
    const proto = socketProtocol(protocol);
    if (proto === undefined) return [];
    return (this.byPeer.get(`${proto}|${local}|${lport}|${remote}`) ?? []).filter((s) => s.remote.port === rport).map((s) => s.inode);
  }

  flowSockets(f: HostFlow): FlowSockets {
    const none = NO_SOCKETS;
    if (f.direction === 'forward') return none;
    if (f.protocol === 'icmp' || f.protocol === 'icmpv6') {
      return f.direction === 'active' ? { own: this.pingers(f).map((s) => s.inode), peer: [] } : none;
    }
    if (f.direction === 'active' && typeof f.peer.port === 'number' && !this.remotePorts.has(f.peer.port)) return none;
    if (f.direction !== 'active' && typeof f.local.port === 'number' && !this.localPorts.has(f.local.port)) return none;
    const proto = socketProtocol(f.protocol);
    if (proto === undefined) return none;
    const inodes = (list: Socket[]): number[] => [...new Set(list.map((s) => s.inode))];
    if (f.direction === 'active') {
      return typeof f.peer.port === 'number' ? { own: inodes(this.clients(proto, f.peer.addr, f.peer.port, f.local.addr)), peer: [] } : none;
    }
    if (typeof f.local.port !== 'number') return none;
    const own = inodes(this.servers(proto, f.local.addr, f.local.port, f.peer.addr));
    return { own, peer: f.direction === 'local' ? inodes(this.clients(proto, f.local.addr, f.local.port, f.peer.addr)) : [] };
  }
}

/**
 * One connection's sockets on this host (list --processes): the client's when the original source
 * is local (its socket is connected to the original destination, before DNAT), the server's when
 * the reply source is local (its accepted socket faces the reply destination; else its listener);
 * both for a connection of the host with itself (the caller lists them in pid order).
 */
export function connSockets(index: SocketIndex, c: Conn, local: ReadonlySet<string>): number[] {
  const o = c.original;
  const r = c.reply;
  const out: number[] = [];
  if (local.has(o.src)) {
    if (c.protocol === 'icmp' || c.protocol === 'icmpv6') {
      out.push(...index.flowSockets(icmpFlow(c)).own);
    } else if (o.sport !== undefined && o.dport !== undefined) {
      out.push(...index.exact(c.protocol, o.src, o.sport, o.dst, o.dport));
    }
  }
  if (local.has(r.src) && r.sport !== undefined && r.dport !== undefined) {
    const accepted = index.exact(c.protocol, r.src, r.sport, r.dst, r.dport);
    out.push(...(accepted.length > 0 ? accepted : index.flowSockets(serverFlow(c)).own));
  }
  return [...new Set(out)];
}

/** The active ICMP flow a connection belongs to (only its family and local address matter). */
const icmpFlow = (c: Conn): HostFlow => ({
  direction: 'active', protocol: c.protocol, protonum: c.protonum, family: c.family, local: { addr: c.original.src, port: 'many' },
  peer: { addr: c.original.dst, port: c.original.type }, natTarget: undefined, connections: 1, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
});

/** The passive flow of a connection's server end (its listener is what serves it). */
const serverFlow = (c: Conn): HostFlow => ({
  direction: 'passive', protocol: c.protocol, protonum: c.protonum, family: c.family, local: { addr: c.reply.src, port: c.reply.sport },
  peer: { addr: c.reply.dst, port: 'many' }, natTarget: undefined, connections: 1, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0,
});

/**
 * The processes of each flow, keyed by the flow's position in `flows`: one fd walk for all of
 * them. Processes in pid order, each once.
 */
const NONE: readonly ProcessInfo[] = [];

/**
 * The processes holding any of a list of socket inodes, in pid order, each once: one fd walk, for
 * every socket of the tables, done here; each lookup after it is a few map reads.
 */
export function socketOwners(sockets: readonly Socket[], table: ProcessTable, procDir?: string): (inodes: readonly number[]) => readonly ProcessInfo[] {
  const pids = socketPids(new Set(sockets.map((s) => s.inode)), procDir);
  return (inodes) => {
    if (inodes.length === 0) return NONE;
    const found = new Set<number>();
    for (const inode of inodes) for (const pid of pids.get(inode) ?? NONE_PIDS) found.add(pid);
    if (found.size === 0) return NONE;
    return [...found].sort((a, b) => a - b).flatMap((pid) => table.info(pid) ?? []);
  };
}

const NONE_PIDS: readonly number[] = [];
