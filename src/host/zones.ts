// Zones: a name for every address, from networks (`--zones FILE`) or, without a file, from this
// host's interfaces. The longest matching prefix wins, IPv4 and IPv6 alike, so a /32 inside a
// /24 inside a /8 names the most specific network. An address no network covers is `external`.
//
// File formats (docs/zones.md):
//   text  one zone per line, `NAME CIDR [CIDR…]`, `#` starts a comment; a zone may span lines
//   JSON  {"NAME": ["CIDR", …], …} (a string instead of a list is one CIDR)
// Without a file: each interface's subnet is named after the interface, the host's own addresses
// are `local` (a host route is the longest prefix there is), everything else `external`.

import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { fileError } from '../file-error.js';
import { CtflowError, usageError } from '../errors.js';
import { parseIPv4, parseIPv6 } from '../parse/address.js';

export const LOCAL_ZONE = 'local';
export const EXTERNAL_ZONE = 'external';

export interface ZoneNetwork {
  name: string;
  /** ADDR/LEN, or a bare address (= /32 or /128) */
  cidr: string;
}

export interface Zones {
  /** the zone of one address (canonical text as the parser gives it) */
  zoneOf(address: string): string;
  readonly networks: readonly ZoneNetwork[];
}

interface V4Entry { net: number; mask: number; len: number; name: string }
interface V6Entry { net: number[]; len: number; name: string }

const ZONE_NAME = /^[A-Za-z0-9_.:@+-]{1,64}$/;

function mask6(groups: readonly number[], len: number): number[] {
  const out = new Array<number>(8);
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - i * 16));
    out[i] = groups[i]! & (bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff);
  }
  return out;
}

/** `ADDR[/LEN]` → its family, masked network and length; undefined when it is not one. */
export function parseCidr(text: string): { v4: V4Entry } | { v6: V6Entry } | undefined {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return undefined;
  const v4 = parseIPv4(addr);
  if (v4 !== undefined) {
    const len = lenText === undefined ? 32 : Number(lenText);
    if (len > 32) return undefined;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return { v4: { net: (v4 & mask) >>> 0, mask, len, name: '' } };
  }
  const v6 = parseIPv6(addr);
  if (v6 !== undefined) {
    const len = lenText === undefined ? 128 : Number(lenText);
    if (len > 128) return undefined;
    return { v6: { net: mask6(v6, len), len, name: '' } };
  }
  return undefined;
}

const CACHE_LIMIT = 65536;

/** Networks → a longest-prefix lookup, compiled once; lookups are memoised per address. */
export function compileZones(networks: readonly ZoneNetwork[], fallback = EXTERNAL_ZONE): Zones {
  const v4: V4Entry[] = [];
  const v6: V6Entry[] = [];
  for (const n of networks) {
    const parsed = parseCidr(n.cidr);
    if (parsed === undefined) throw usageError(`ctflow: --zones: expected an IPv4 or IPv6 address or CIDR, got ${JSON.stringify(n.cidr)}`);
    if ('v4' in parsed) v4.push({ ...parsed.v4, name: n.name });
    else v6.push({ ...parsed.v6, name: n.name });
  }
  // stable sort: among equal prefixes the first listed wins
  v4.sort((a, b) => b.len - a.len);
  v6.sort((a, b) => b.len - a.len);
  const cache = new Map<string, string>();

  const lookup = (address: string): string => {
    if (address.indexOf(':') < 0) {
      const x = parseIPv4(address);
      if (x === undefined) return fallback;
      for (const e of v4) if (((x & e.mask) >>> 0) === e.net) return e.name;
      return fallback;
    }
    const g = parseIPv6(address);
    if (g === undefined) return fallback;
    for (const e of v6) {
      const m = mask6(g, e.len);
      let hit = true;
      for (let i = 0; i < 8 && hit; i++) hit = m[i] === e.net[i];
      if (hit) return e.name;
    }
    return fallback;
  };

  return {
    networks,
    zoneOf(address: string): string {
      let zone = cache.get(address);
      if (zone === undefined) {
        zone = lookup(address);
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(address, zone);
      }
      return zone;
    },
  };
}

function badLine(source: string, line: number, rule: string, got: string): CtflowError {
  return usageError(`ctflow: --zones ${source} line ${line}: ${rule}, got ${JSON.stringify(got)}`);
}

/** The text or JSON form of a zones file → its networks, in file order. */
export function parseZonesText(text: string, source: string): ZoneNetwork[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return parseZonesJson(trimmed, source);
  const out: ZoneNetwork[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const content = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
    if (content === '') continue;
    const [name, ...cidrs] = content.split(/\s+/);
    if (!ZONE_NAME.test(name!)) throw badLine(source, i + 1, 'a zone name is 1-64 letters, digits or _.:@+-', name!);
    if (cidrs.length === 0) throw badLine(source, i + 1, 'expected NAME CIDR [CIDR…]', content);
    for (const cidr of cidrs) {
      if (parseCidr(cidr) === undefined) throw badLine(source, i + 1, 'expected an IPv4 or IPv6 address or CIDR', cidr);
      out.push({ name: name!, cidr });
    }
  }
  return out;
}

function parseZonesJson(text: string, source: string): ZoneNetwork[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw usageError(`ctflow: --zones ${source}: JSON must parse, got ${(err as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw usageError(`ctflow: --zones ${source}: JSON must be an object {"NAME": ["CIDR", …]}, got ${JSON.stringify(body).slice(0, 60)}`);
  }
  const out: ZoneNetwork[] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (!ZONE_NAME.test(name)) throw usageError(`ctflow: --zones ${source}: a zone name is 1-64 letters, digits or _.:@+-, got ${JSON.stringify(name)}`);
    const cidrs = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(cidrs) || cidrs.some((c) => typeof c !== 'string' || parseCidr(c) === undefined)) {
      throw usageError(`ctflow: --zones ${source}: zone ${name} must list IPv4 or IPv6 CIDRs, got ${JSON.stringify(value).slice(0, 80)}`);
    }
    for (const cidr of cidrs as string[]) out.push({ name, cidr });
  }
  return out;
}

export type InterfaceList = ReturnType<typeof networkInterfaces>;

/** The default zones: interface subnets named after the interface, own addresses `local`. */
export function interfaceNetworks(interfaces: InterfaceList = networkInterfaces()): ZoneNetwork[] {
  const out: ZoneNetwork[] = [];
  for (const [name, list] of Object.entries(interfaces)) {
    for (const info of list ?? []) {
      const pct = info.address.indexOf('%');
      const address = pct >= 0 ? info.address.slice(0, pct) : info.address;
      if (parseCidr(address) === undefined) continue;
      out.push({ name: LOCAL_ZONE, cidr: address });
      const len = info.cidr?.slice(info.cidr.lastIndexOf('/') + 1);
      if (len !== undefined && /^\d{1,3}$/.test(len)) out.push({ name, cidr: `${address}/${len}` });
    }
  }
  return out;
}

/** `--zones FILE` (its networks) or, with no file, the interface default. */
export async function loadZones(file: string | undefined, interfaces?: InterfaceList): Promise<Zones> {
  if (file === undefined) return compileZones(interfaceNetworks(interfaces));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fileError(file, err as NodeJS.ErrnoException, false);
  }
  return compileZones(parseZonesText(text, file));
}
