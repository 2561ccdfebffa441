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
// Built once per run from the socket tables; the fd walk is done once, for the flows printed.

import type { HostFlow } from './host-flows.js';
import type { Conn } from '../model.js';
import type { Socket, SocketProtocol } from '../host/sockets.js';
import { socketPids, type ProcessInfo, type ProcessTable } from '../host/processes.js';

const WILDCARDS = ['0.0.0.0', '::'];

/** A flow's sockets: those of its local end, and for a local flow those of its client. */
export interface FlowSockets {
  own: number[];
  peer: number[];
}

export interface FlowProcesses {
  process: ProcessInfo[];
  /** local flows only: the client's processes */
  peerProcess: ProcessInfo[] | undefined;
}

const socketProtocol = (protocol: string): SocketProtocol | undefined =>
  protocol === 'tcp' || protocol === 'udp' || protocol === 'udplite' ? protocol : undefined;

export class SocketIndex {
  private readonly byLocal = new Map<string, Socket[]>();
  private readonly byRemote = new Map<string, Socket[]>();
  private readonly icmp: Socket[] = [];

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
      add(this.byLocal, `${s.protocol}|${s.local.addr}|${s.local.port}`, s);
      if (!s.listening) add(this.byRemote, `${s.protocol}|${s.remote.addr}|${s.remote.port}`, s);
    }
  }

  /** Sockets serving addr:port to `client`: listeners (on the address or a wildcard) and accepted ones. */
  private servers(proto: SocketProtocol, addr: string, port: number, client: string): Socket[] {
    const out: Socket[] = [];
    for (const a of [addr, ...WILDCARDS]) {
      for (const s of this.byLocal.get(`${proto}|${a}|${port}`) ?? []) if (s.listening || s.remote.addr === client) out.push(s);
    }
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
    return (this.byLocal.get(`${proto}|${local}|${lport}`) ?? []).filter((s) => !s.listening && s.remote.addr === remote && s.remote.port === rport).map((s) => s.inode);
  }

  flowSockets(f: HostFlow): FlowSockets {
    const none: FlowSockets = { own: [], peer: [] };
    if (f.direction === 'forward') return none;
    if (f.protocol === 'icmp' || f.protocol === 'icmpv6') {
      return f.direction === 'active' ? { own: this.pingers(f).map((s) => s.inode), peer: [] } : none;
    }
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
/** Processes holding each list of inodes, in pid order: one fd walk for all of them. */
export function processesOfSockets(lists: readonly number[][], table: ProcessTable, procDir?: string): ProcessInfo[][] {
  const wanted = new Set<number>();
  for (const l of lists) for (const i of l) wanted.add(i);
  const pids = socketPids(wanted, procDir);
  return lists.map((inodes) => {
    const seen = [...new Set(inodes.flatMap((i) => pids.get(i) ?? []))].sort((a, b) => a - b);
    return seen.map((pid) => table.info(pid)).filter((p): p is ProcessInfo => p !== null);
  });
}

export function flowProcesses(flows: readonly HostFlow[], index: SocketIndex, table: ProcessTable, procDir?: string): FlowProcesses[] {
  const sockets = flows.map((f) => index.flowSockets(f));
  const found = processesOfSockets(sockets.flatMap((s) => [s.own, s.peer]), table, procDir);
  return flows.map((f, i) => ({ process: found[2 * i]!, peerProcess: f.direction === 'local' ? found[2 * i + 1]! : undefined }));
}
