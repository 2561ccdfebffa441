// Orders of connections for list --sort. The default follows the NethServer API: most bytes
// first when accounting is on, else the longest timeout; an entry without counters sorts after
// every counted one, so the same comparator serves both tables without knowing in advance.
// Every order ends in a full tiebreak so output is the same on every run.

import type { Conn } from '../model.js';
import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { BYTES, PACKETS, scanTotal, type ConnScan } from '../parse/conn-bytes.js';

export const SORT_KEYS = ['bytes', 'packets', 'timeout', 'src', 'dst', 'sport', 'dport', 'proto', 'state'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** list's keys: these, and `none`, the table's own order (written as it is read) */
export const LIST_SORT_KEYS = [...SORT_KEYS, 'none'] as const;
export type ListSortKey = (typeof LIST_SORT_KEYS)[number];

export type ConnOrder = (a: Conn, b: Conn) => number;

/** Addresses in numeric order, IPv4 before IPv6. */
export function compareAddress(a: string, b: string): number {
  if (a === b) return 0;
  const a4 = parseIPv4(a);
  const b4 = parseIPv4(b);
  if (a4 !== undefined && b4 !== undefined) return a4 - b4;
  if (a4 !== undefined) return -1;
  if (b4 !== undefined) return 1;
  const a6 = parseIPv6(a) ?? [];
  const b6 = parseIPv6(b) ?? [];
  for (let i = 0; i < 8; i++) {
    const d = (a6[i] ?? 0) - (b6[i] ?? 0);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const num = (v: number | undefined): number => (v === undefined ? -1 : v);

const byKey: Record<SortKey, ConnOrder> = {
  // numbers: largest first
  bytes: (a, b) => num(b.bytesTotal) - num(a.bytesTotal),
  packets: (a, b) => num(b.packetsTotal) - num(a.packetsTotal),
  timeout: (a, b) => num(b.timeout) - num(a.timeout),
  // names and addresses: ascending
  src: (a, b) => compareAddress(a.original.src, b.original.src),
  dst: (a, b) => compareAddress(a.original.dst, b.original.dst),
  sport: (a, b) => num(a.original.sport) - num(b.original.sport),
  dport: (a, b) => num(a.original.dport) - num(b.original.dport),
  proto: (a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0),
  state: (a, b) => ((a.state ?? '') < (b.state ?? '') ? -1 : (a.state ?? '') > (b.state ?? '') ? 1 : 0),
};

const tiebreak: ConnOrder = (a, b) =>
  compareAddress(a.original.src, b.original.src) ||
  num(a.original.sport) - num(b.original.sport) ||
  compareAddress(a.original.dst, b.original.dst) ||
  num(a.original.dport) - num(b.original.dport) ||
  a.protonum - b.protonum ||
  num(a.original.id) - num(b.original.id) ||
  num(a.original.srckey) - num(b.original.srckey) ||
  num(a.original.dstkey) - num(b.original.dstkey) ||
  a.zone - b.zone;

/**
 * The primary number a scanned line would sort by (bytes, packets or timeout, -1 when it has
 * none), or undefined for keys that are not such a number. With it, top-k skips a line that
 * ranks strictly after the worst kept record without making a record of it (list --limit).
 */
export function scanSortValue(key: SortKey | undefined): ((s: ConnScan) => number) | undefined {
  if (key === undefined || key === 'bytes') return (s) => scanTotal(s, BYTES);
  if (key === 'packets') return (s) => scanTotal(s, PACKETS);
  if (key === 'timeout') return (s) => s.timeout;
  return undefined;
}

/** The number scanSortValue reads, from a record. */
export function connSortValue(key: SortKey | undefined, c: Conn): number {
  return num(key === 'packets' ? c.packetsTotal : key === 'timeout' ? c.timeout : c.bytesTotal);
}

/** The order for list: a key (default bytes, then timeout) and an optional reversal. */
export function connOrder(key: SortKey | undefined, reverse: boolean): ConnOrder {
  const primary: ConnOrder =
    key === undefined ? (a, b) => byKey.bytes(a, b) || byKey.timeout(a, b) : byKey[key];
  const order: ConnOrder = (a, b) => primary(a, b) || tiebreak(a, b);
  return reverse ? (a, b) => order(b, a) : order;
}
