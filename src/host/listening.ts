// Listening sockets from /proc/net/{tcp,tcp6,udp,udp6}, for `flows --listening`. They never
// decide a flow's direction (the conntrack tuples do); they only answer "does something listen on
// this port now?", on any bound address: 0.0.0.0, [::] (dual-stack) or one specific address.
//
// The proc files print addresses as hex words in the kernel's byte order: 0A00030A is 10.3.0.10
// on a little-endian machine. A TCP listener has state 0A (LISTEN); a UDP "listener" is a bound,
// unconnected socket (state 07, remote port 0).

import { endianness } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CtflowError } from '../errors.js';
import { formatIPv6 } from '../parse/address.js';
import type { Family } from '../model.js';

export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  family: Family;
  addr: string;
  port: number;
}

const TCP_LISTEN = 0x0a;
const UDP_UNCONNECTED = 0x07;

/** One 32-bit word of the proc file as 4 bytes in memory order. */
function wordBytes(hex: string, littleEndian: boolean): number[] {
  const v = parseInt(hex, 16);
  const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return littleEndian ? b.reverse() : b;
}

/** `0A00030A:1538` / 32-hex-digit IPv6 form → address text and port, or undefined. */
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

/** Listening sockets in the text of one /proc/net/{tcp,tcp6,udp,udp6} file. */
export function parseProcNetSockets(
  text: string,
  protocol: 'tcp' | 'udp',
  littleEndian: boolean = endianness() === 'LE',
): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // "sl local_address rem_address st …"; the header's first field is "sl"
    if (f.length < 4 || !f[0]!.endsWith(':')) continue;
    const local = parseHexEndpoint(f[1]!, littleEndian);
    const remote = parseHexEndpoint(f[2]!, littleEndian);
    const state = parseInt(f[3]!, 16);
    if (!local || !remote) continue;
    const listening = protocol === 'tcp'
      ? state === TCP_LISTEN
      : state === UDP_UNCONNECTED && remote.port === 0;
    if (!listening) continue;
    out.push({
      protocol,
      family: local.addr.indexOf(':') >= 0 ? 'ipv6' : 'ipv4',
      addr: local.addr,
      port: local.port,
    });
  }
  return out;
}

/** Listening sockets of this host (or of `dir`, a directory holding tcp, tcp6, udp, udp6). */
export async function readListeningSockets(dir = '/proc/net'): Promise<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  let read = 0;
  for (const [file, protocol] of [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const) {
    let text: string;
    try {
      text = await readFile(join(dir, file), 'latin1');
    } catch {
      // a kernel without IPv6 has no tcp6/udp6: nothing listens there
      continue;
    }
    read++;
    out.push(...parseProcNetSockets(text, protocol));
  }
  // none at all is a wrong directory, not "nothing listens": say so instead of hiding every flow
  if (read === 0) {
    throw new CtflowError(`ctflow: --listening: cannot read the socket tables, expected ${join(dir, 'tcp')} (and tcp6, udp, udp6), got none`);
  }
  return out;
}

/** "protocol/port" keys of the listening sockets, whatever address they are bound to. */
export function listeningPortKeys(sockets: readonly ListeningSocket[]): Set<string> {
  return new Set(sockets.map((s) => `${s.protocol}/${s.port}`));
}
