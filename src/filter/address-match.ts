// An address or CIDR (IPv4 or IPv6), compiled once into a predicate over canonical address text.

import { formatIPv6, parseIPv4, parseIPv6 } from '../parse/address.js';
import { usageError } from '../errors.js';

export type AddressMatcher = (address: string) => boolean;

/** Parse `ADDR` or `ADDR/LEN`; `what` names the option in the error. */
export function compileAddress(text: string, what: string): AddressMatcher {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  const v4 = parseIPv4(addr);
  if (v4 !== undefined) {
    const len = prefixLength(lenText, 32, text, what);
    if (len === 32) return (a) => a === addr;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = (v4 & mask) >>> 0;
    return (a) => {
      if (a.indexOf(':') >= 0) return false;
      const x = parseIPv4(a);
      return x !== undefined && ((x & mask) >>> 0) === net;
    };
  }
  const v6 = parseIPv6(addr);
  if (v6 !== undefined) {
    const len = prefixLength(lenText, 128, text, what);
    if (len === 128) {
      const canonical = formatIPv6(v6);
      return (a) => a === canonical;
    }
    const net = maskGroups(v6, len);
    return (a) => {
      if (a.indexOf(':') < 0) return false;
      const x = parseIPv6(a);
      if (x === undefined) return false;
      const m = maskGroups(x, len);
      for (let i = 0; i < 8; i++) if (m[i] !== net[i]) return false;
      return true;
    };
  }
  throw usageError(`ctflow: ${what}: expected an IPv4 or IPv6 address or CIDR, got ${JSON.stringify(text)}`);
}

function prefixLength(lenText: string | undefined, max: number, text: string, what: string): number {
  if (lenText === undefined) return max;
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
    throw usageError(`ctflow: ${what}: prefix length must be 0-${max}, got ${JSON.stringify(text)}`);
  }
  return Number(lenText);
}

function maskGroups(groups: readonly number[], len: number): number[] {
  const out = new Array<number>(8);
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - i * 16));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    out[i] = groups[i]! & mask;
  }
  return out;
}

/** Is this exactly one address (no prefix)? conntrack -s/-d accept only those (or a /mask). */
export function isPlainAddress(text: string): boolean {
  return parseIPv4(text) !== undefined || parseIPv6(text) !== undefined;
}
