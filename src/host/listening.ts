// Listening sockets from /proc/net/{tcp,tcp6,udp,udp6}, for `flows --listening`. They never
// decide a flow's direction (the conntrack tuples do); they only answer "does something listen on
// this port now?", on any bound address: 0.0.0.0, [::] (dual-stack) or one specific address.
//
// The files are read by sockets.ts (hex words in the kernel's byte order). A TCP listener has
// state 0A (LISTEN); a UDP "listener" is a bound, unconnected socket (remote 0.0.0.0:0 or [::]:0).

import { endianness } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CtflowError } from '../errors.js';
import { parseSocketTable } from './sockets.js';
import type { Family } from '../model.js';

export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  family: Family;
  addr: string;
  port: number;
}

export { parseHexEndpoint } from './sockets.js';

/** Listening sockets in the text of one /proc/net/{tcp,tcp6,udp,udp6} file (sockets.ts reads it). */
export function parseProcNetSockets(
  text: string,
  protocol: 'tcp' | 'udp',
  littleEndian: boolean = endianness() === 'LE',
): ListeningSocket[] {
  return parseSocketTable(text, protocol, littleEndian).filter((s) => s.listening).map((s) => ({
    protocol,
    family: s.local.addr.indexOf(':') >= 0 ? 'ipv6' : 'ipv4',
    addr: s.local.addr,
    port: s.local.port,
  }));
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
