// This network namespace's sockets, with their inodes, from /proc/net/{tcp,udp,udplite,raw,icmp}
// and their IPv6 twins, the tables `ss` reads: what `--processes` matches a flow's local end
// against. (listening.ts reads the same files for --listening, but only listeners' ports.)
//
// A raw socket's "port" is its IP protocol (1 for ICMP, 58 for ICMPv6); an ICMP datagram
// ("ping") socket lives in /proc/net/icmp. Dual-stack sockets print IPv4 peers as ::ffff:a.b.c.d;
// they are given back as plain IPv4, as conntrack prints them.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { endianness } from 'node:os';
import { formatIPv6 } from '../parse/address.js';

/** The protocol a socket table holds: a conntrack protocol name, or `raw` (any IP protocol). */
export type SocketProtocol = 'tcp' | 'udp' | 'udplite' | 'raw' | 'icmp';

export interface Socket {
  protocol: SocketProtocol;
  local: { addr: string; port: number };
  remote: { addr: string; port: number };
  /** TCP LISTEN, or a bound UDP/raw socket with no peer: it serves whoever comes */
  listening: boolean;
  inode: number;
}

const TABLES: readonly (readonly [string, SocketProtocol])[] = [
  ['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp'], ['udplite', 'udplite'], ['udplite6', 'udplite'],
  ['raw', 'raw'], ['raw6', 'raw'], ['icmp', 'icmp'], ['icmp6', 'icmp'],
];

const TCP_LISTEN = 0x0a;
const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;
const MAPPED_DOTTED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/;

/** `::ffff:10.0.0.1` (or `::ffff:a00:1`) → `10.0.0.1`; any other address as it is. */
export function unmapIPv4(addr: string): string {
  const dotted = MAPPED_DOTTED.exec(addr);
  if (dotted !== null) return dotted[1]!;
  const m = MAPPED.exec(addr);
  if (m === null) return addr;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** One 32-bit word of the proc file as 4 bytes in memory order. */
function wordBytes(hex: string, littleEndian: boolean): number[] {
  const v = parseInt(hex, 16);
  const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return littleEndian ? b.reverse() : b;
}

/**
 * `0A00030A:1538` / 32-hex-digit IPv6 form → address text and port, or undefined. The words are
 * in the kernel's byte order: 0A00030A is 10.3.0.10 on a little-endian machine.
 */
export function parseHexEndpoint(
  text: string,
  littleEndian: boolean,
): { addr: string; port: number } | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const hex = text.slice(0, colon);
  const port = parseInt(text.slice(colon + 1), 16);
  if (!/^[0-9A-Fa-f]+$/.test(hex) || !Number.isInteger(port)) return undefined;
  if (hex.length === 8) return { addr: wordBytes(hex, littleEndian).join('.'), port };
  if (hex.length !== 32) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8), littleEndian));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i]! * 256 + bytes[i + 1]!);
  return { addr: formatIPv6(groups), port };
}

/** The sockets in the text of one socket table. */
export function parseSocketTable(text: string, protocol: SocketProtocol, littleEndian = endianness() === 'LE'): Socket[] {
  const out: Socket[] = [];
  for (const line of text.split('\n')) {
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …"
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !f[0]!.endsWith(':')) continue;
    const local = parseHexEndpoint(f[1]!, littleEndian);
    const remote = parseHexEndpoint(f[2]!, littleEndian);
    const inode = Number(f[9]);
    // inode 0: a socket being torn down (TIME_WAIT has no owner any more)
    if (!local || !remote || !Number.isSafeInteger(inode) || inode === 0) continue;
    const state = parseInt(f[3]!, 16);
    local.addr = unmapIPv4(local.addr);
    remote.addr = unmapIPv4(remote.addr);
    out.push({ protocol, local, remote, listening: protocol === 'tcp' ? state === TCP_LISTEN : remote.port === 0 && (remote.addr === '0.0.0.0' || remote.addr === '::'), inode });
  }
  return out;
}

/** Every socket of the namespace `dir` (default /proc/net) shows; absent tables (no IPv6, no udplite) hold none. */
export async function readSockets(dir = '/proc/net'): Promise<Socket[]> {
  const tables = await Promise.all(TABLES.map(async ([file, protocol]) => {
    try {
      return parseSocketTable(await readFile(join(dir, file), 'latin1'), protocol);
    } catch {
      return [];
    }
  }));
  return tables.flat();
}
