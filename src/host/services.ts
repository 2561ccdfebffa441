// Service names from /etc/services (netbase): `443/tcp` ↔ `https`, the way ss and netstat name
// ports. Read at most once per run, and only when something asks: a numeric port filter and a
// -n table never open the file. CTFLOW_SERVICES names another file (tests, other systems).
//
// The file's lines are `name port/proto [aliases…] [# comment]`. A port's name is the first line
// for that port and protocol; a name (or alias) finds its port for the protocol asked, else for
// any protocol (`--dport domain` is 53 for tcp and udp alike).

import { readFileSync } from 'node:fs';
import { CtflowError, usageError } from '../errors.js';
import { parsePort } from '../filter/option-values.js';

export const DEFAULT_SERVICES_FILE = '/etc/services';

export interface ServiceTable {
  /** `tcp/443` → `https` */
  names: ReadonlyMap<string, string>;
  /** `https` → { tcp: 443, udp: 443 } (names and aliases, lower case) */
  ports: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

export function parseServices(text: string): ServiceTable {
  const names = new Map<string, string>();
  const ports = new Map<string, Record<string, number>>();
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const words = (hash >= 0 ? raw.slice(0, hash) : raw).trim().split(/\s+/);
    if (words.length < 2) continue;
    const m = /^(\d{1,5})\/([a-z0-9-]+)$/i.exec(words[1]!);
    if (m === null) continue;
    const port = Number(m[1]);
    const proto = m[2]!.toLowerCase();
    if (port > 65535) continue;
    const key = `${proto}/${port}`;
    if (!names.has(key)) names.set(key, words[0]!);
    for (const name of [words[0]!, ...words.slice(2)]) {
      const byProto = ports.get(name.toLowerCase()) ?? {};
      if (byProto[proto] === undefined) byProto[proto] = port;
      ports.set(name.toLowerCase(), byProto);
    }
  }
  return { names, ports };
}

let cached: { path: string; table: ServiceTable } | undefined;

/** The table of the services file (CTFLOW_SERVICES or /etc/services), read once; empty when the file is absent. */
export function serviceTable(): ServiceTable {
  const path = process.env.CTFLOW_SERVICES || DEFAULT_SERVICES_FILE;
  if (cached?.path === path) return cached.table;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // no netbase: ports stay numbers, and a port given by name is refused below
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new CtflowError(`ctflow: ${path}: cannot be read, got ${code ?? (err as Error).message}`, { code: 'EREAD' });
    }
  }
  cached = { path, table: parseServices(text) };
  return cached.table;
}

/**
 * The ports /etc/services lists per protocol; dccp and udplite have no lines of their own in
 * netbase, so they borrow tcp's and udp's names (as getservbyport callers commonly do).
 */
const SERVICE_PROTOCOL: Readonly<Record<string, string>> = { tcp: 'tcp', udp: 'udp', sctp: 'sctp', dccp: 'tcp', udplite: 'udp' };

/** The service name of a port for a protocol (`tcp`, 443 → `https`), or undefined. */
export function serviceName(protocol: string, port: number | 'many' | undefined, table = serviceTable()): string | undefined {
  if (typeof port !== 'number') return undefined;
  const proto = SERVICE_PROTOCOL[protocol];
  return proto === undefined ? undefined : table.names.get(`${proto}/${port}`);
}

/**
 * A port option's value: a number 0-65535 or a service name (`https`, `ssh`), resolved once at
 * option parsing. `protocol` prefers that protocol's line when a name has different ports.
 */
export function parsePortOrService(text: string, what: string, protocol?: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t) || t === '') return parsePort(text, what);
  const byProto = serviceTable().ports.get(t.toLowerCase());
  const proto = protocol === undefined ? undefined : SERVICE_PROTOCOL[protocol];
  const port = byProto === undefined ? undefined : ((proto !== undefined ? byProto[proto] : undefined) ?? Object.values(byProto)[0]);
  if (port === undefined) {
    const file = process.env.CTFLOW_SERVICES || DEFAULT_SERVICES_FILE;
    throw usageError(`ctflow: ${what}: a port must be a number from 0 to 65535 or a service name in ${file}, got ${JSON.stringify(text)}`);
  }
  return port;
}
