// Option values checked once, at the edge: each parser returns the typed value or throws a
// usage error (exit 2) in the one error shape, naming the option and what it got.

import { usageError } from '../errors.js';
import { PROTOCOL_NUMBER, PROTOCOL_STATES } from '../model.js';

export interface MarkMask {
  value: number;
  mask: number;
}

function unsigned(text: string, max: number): number | undefined {
  const t = text.trim();
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(t)) n = parseInt(t, 16);
  else if (/^\d+$/.test(t)) n = Number(t);
  else return undefined;
  return n <= max ? n : undefined;
}

export function parsePort(text: string, what = '--port'): number {
  const n = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : undefined;
  if (n === undefined || n > 65535) {
    throw usageError(`ctflow: ${what}: a port must be a number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return n;
}

export function parseMark(text: string, what = '--mark'): MarkMask {
  const [v, m, more] = text.split('/');
  const value = v === undefined ? undefined : unsigned(v, 0xffffffff);
  const mask = m === undefined ? 0xffffffff : unsigned(m, 0xffffffff);
  if (value === undefined || mask === undefined || more !== undefined) {
    throw usageError(`ctflow: ${what}: expected MARK or MARK/MASK (decimal or 0x hex, 32 bits), got ${JSON.stringify(text)}`);
  }
  return { value, mask };
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * A mark to match: MARK/MASK takes the entries whose (mark & MASK) == MARK, as conntrack -m,
 * iptables' connmark and nft do. A MARK with bits outside MASK can equal no (mark & MASK), so
 * it is refused rather than left to match nothing (conntrack -L -m 0x11/0xf0 shows nothing).
 */
export function parseMarkFilter(text: string, what = '--mark'): MarkMask {
  const m = parseMark(text, what);
  const stray = (m.value & ~m.mask) >>> 0;
  if (stray !== 0) {
    throw usageError(
      `ctflow: ${what}: ${hex(m.value)} has bits outside the mask ${hex(m.mask)} (${hex(stray)}), so it can match no connection, got ${JSON.stringify(text)}`,
    );
  }
  return m;
}

export function parseZone(text: string, what = '--zone'): number {
  const n = unsigned(text, 65535);
  if (n === undefined) throw usageError(`ctflow: ${what}: a zone must be a number from 0 to 65535, got ${JSON.stringify(text)}`);
  return n;
}

export function parseCount(text: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw usageError(`ctflow: ${what}: expected a whole number ${range}, got ${JSON.stringify(text)}`);
  }
  return n;
}

export function parseSeconds(text: string, what: string): number {
  const n = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw usageError(`ctflow: ${what}: expected a positive number of seconds, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A protocol name (tcp, udp, …) or number (0-255); returns the protocol number. */
export function parseProtocol(text: string, what = '--proto'): number {
  const t = text.trim().toLowerCase();
  const named = PROTOCOL_NUMBER.get(t === 'ipv6-icmp' || t === 'icmp6' ? 'icmpv6' : t);
  if (named !== undefined) return named;
  if (/^\d{1,3}$/.test(t) && Number(t) <= 255) return Number(t);
  throw usageError(
    `ctflow: ${what}: unknown protocol, expected one of ${[...PROTOCOL_NUMBER.keys()].join(', ')} or a number 0-255, got ${JSON.stringify(text)}`,
  );
}

const ALL_STATES = new Set(Object.values(PROTOCOL_STATES).flat());

/** One or more states, comma separated (ESTABLISHED,TIME_WAIT). */
export function parseStates(text: string, what = '--state'): string[] {
  const states = text.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  const bad = states.find((s) => !ALL_STATES.has(s));
  if (states.length === 0 || bad !== undefined) {
    throw usageError(`ctflow: ${what}: unknown state ${JSON.stringify(bad ?? text)}, expected e.g. ESTABLISHED, TIME_WAIT, SYN_SENT`);
  }
  return states;
}

export const STATUSES = ['ASSURED', 'UNREPLIED', 'OFFLOAD', 'HW_OFFLOAD', 'SEEN_REPLY'] as const;
export type Status = (typeof STATUSES)[number];

export function parseStatuses(text: string, what = '--status'): Status[] {
  const list = text.split(',').map((s) => s.trim().toUpperCase());
  const bad = list.find((s) => !(STATUSES as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw usageError(`ctflow: ${what}: expected ${STATUSES.join(', ')}, got ${JSON.stringify(bad)}`);
  }
  return list as Status[];
}

export function parseFamily(text: string, what = '--family'): 'ipv4' | 'ipv6' {
  const t = text.trim().toLowerCase();
  if (t === 'ipv4' || t === 'inet' || t === '4') return 'ipv4';
  if (t === 'ipv6' || t === 'inet6' || t === '6') return 'ipv6';
  throw usageError(`ctflow: ${what}: expected ipv4 or ipv6, got ${JSON.stringify(text)}`);
}
