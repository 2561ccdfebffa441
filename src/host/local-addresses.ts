// The set L of addresses that are "this host" for the flows view: every interface address, IPv4
// and IPv6, loopback included, in canonical text (RFC 5952 for IPv6) so it compares equal to the
// addresses the conntrack parser produces. `--local ADDR` replaces discovery, which is what a
// table read from another host (--file, --stdin) needs.
//
// Discovery asks `ip -o addr show` (netlink: every configured address) and adds
// os.networkInterfaces(). The latter alone is not enough: it leaves out the addresses of
// interfaces that are down or have no carrier, yet those are still this host's addresses (the
// kernel keeps their local routes and answers for them on other interfaces), and an SSH entry to
// one of them would be classified forward instead of passive. Spawning `ip` costs about 2 ms per
// run; when it is missing or fails, os.networkInterfaces() alone is used.

import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { canonicalIPv6, parseIPv4 } from '../parse/address.js';
import { usageError } from '../errors.js';

/** Canonical text of one address (IPv4 dotted quad or any IPv6 form), or undefined. */
export function canonicalAddress(text: string): string | undefined {
  // os.networkInterfaces() may append a zone ("fe80::1%eth0"); a zone is not part of the address
  const pct = text.indexOf('%');
  const bare = pct >= 0 ? text.slice(0, pct) : text;
  if (bare.indexOf(':') >= 0) return canonicalIPv6(bare);
  return parseIPv4(bare) === undefined ? undefined : bare;
}

/** Where discovery reads from; tests pass their own. */
export interface AddressSources {
  /** `ip -o addr show` text, or undefined when it cannot be had */
  ipAddr: () => string | undefined;
  interfaces: () => ReturnType<typeof networkInterfaces>;
}

/**
 * `ip -o addr show` of the current network namespace (argv, no shell), or undefined when `ip`
 * is missing, fails or hangs. /usr/sbin and /sbin are searched too: not every user's PATH has them.
 */
export function readIpAddr(bin = 'ip'): string | undefined {
  try {
    return execFileSync(bin, ['-o', 'addr', 'show'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
      env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, LC_ALL: 'C' },
    });
  } catch {
    return undefined;
  }
}

const SYSTEM: AddressSources = { ipAddr: () => readIpAddr(), interfaces: networkInterfaces };

/**
 * This host's addresses: all of `ip -o addr show` (down interfaces included), then whatever
 * os.networkInterfaces() adds (all of L when `ip` is missing).
 */
export function discoverLocalAddresses(sources: AddressSources = SYSTEM): Set<string> {
  const text = sources.ipAddr();
  const out = text === undefined ? new Set<string>() : parseIpAddrOutput(text);
  for (const list of Object.values(sources.interfaces())) {
    for (const info of list ?? []) {
      const addr = canonicalAddress(info.address);
      if (addr !== undefined) out.add(addr);
    }
  }
  return out;
}

/**
 * Addresses in `ip -o addr` text (also the `ip -o addr` blocks of a capture's topology.txt):
 * the token after `inet`/`inet6`, without its prefix length. Other lines are ignored.
 */
export function parseIpAddrOutput(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    for (let i = 0; i + 1 < fields.length; i++) {
      if (fields[i] !== 'inet' && fields[i] !== 'inet6') continue;
      const cidr = fields[i + 1]!;
      const slash = cidr.indexOf('/');
      const addr = canonicalAddress(slash >= 0 ? cidr.slice(0, slash) : cidr);
      if (addr !== undefined) out.add(addr);
      break;
    }
  }
  return out;
}

/**
 * `--local` values (repeatable, each may be a comma list) → the canonical set.
 * Throws a usage error naming the first value that is not an address.
 */
export function parseLocalOption(values: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const value of values) {
    for (const part of value.split(',')) {
      const text = part.trim();
      if (text === '') continue;
      const addr = canonicalAddress(text);
      if (addr === undefined) {
        throw usageError(`ctflow: --local: expected an IPv4 or IPv6 address, got "${text}"`);
      }
      out.add(addr);
    }
  }
  if (out.size === 0) throw usageError('--local: expected at least one address, got none');
  return out;
}
