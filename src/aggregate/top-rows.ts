// The rows of `ctflow top`: one per flow (or per connection), with connection count, counters and
// rates since the previous reading, sorted by a key the user cycles through.
//
// Memory: one reading keeps every matched connection's counters (the previous reading is needed
// for rates), so it grows with the table, as any top must; rows are small objects.
//
// SEAM: a "flow" here is `src ==> dst:dport` (the client's port folded; ICMP by type), which is
// what host flows' forward direction groups by. When src/aggregate/host-flows.ts lands, replace
// `flowOf` with its key and labels (active / passive / local / forward); nothing else changes,
// because rates are computed per connection and only summed per row.

import type { Conn } from '../model.js';
import { connKey, countersOf, groupRates, type Counters, type Rate, type Snapshot } from './rates.js';

export type TopMode = 'flows' | 'connections';

export const TOP_SORT_KEYS = ['rate', 'pps', 'bytes', 'packets', 'conns'] as const;
export type TopSortKey = (typeof TOP_SORT_KEYS)[number];

export interface TopRow {
  key: string;
  protocol: string;
  src: string;
  /** connections only: flows fold the client's port */
  sport: number | undefined;
  dst: string;
  dport: number | undefined;
  /** ICMP type, for ICMP rows */
  icmpType: number | undefined;
  /** connections only */
  state: string | undefined;
  conns: number;
  /** undefined when accounting is off for every connection of the row */
  packets: number | undefined;
  bytes: number | undefined;
  /** undefined on the first reading (nothing to compare with) */
  rate: Rate | undefined;
}

export interface TopTotal {
  conns: number;
  packets: number | undefined;
  bytes: number | undefined;
  rate: Rate | undefined;
}

export interface TopReading {
  rows: TopRow[];
  total: TopTotal;
  /** pass to the next reading */
  snapshot: Snapshot;
}

/** The flow a connection belongs to (see SEAM in the header). */
export function flowOf(c: Conn): string {
  const o = c.original;
  return `${c.protocol} ${o.src} ${o.dst} ${o.dport ?? ''} ${o.type ?? ''}`;
}

export class ReadingBuilder {
  private readonly rows = new Map<string, TopRow>();
  private readonly counters = new Map<string, Counters>();
  private readonly rowOf = new Map<string, string>();

  constructor(private readonly mode: TopMode, private readonly time: number) {}

  /**
   * One connection of the reading. `shown` false keeps its counters for the next reading's rates
   * without showing it (the interactive address filter), so changing that filter causes no spike.
   */
  add(c: Conn, shown = true): void {
    const ck = connKey(c);
    const counters = countersOf(c);
    if (counters !== undefined) this.counters.set(ck, counters);
    if (!shown) return;
    const key = this.mode === 'connections' ? ck : flowOf(c);
    let row = this.rows.get(key);
    if (row === undefined) {
      const o = c.original;
      const conn = this.mode === 'connections';
      row = {
        key, protocol: c.protocol, src: o.src, sport: conn ? o.sport : undefined, dst: o.dst, dport: o.dport,
        icmpType: o.type, state: conn ? c.state : undefined, conns: 0, packets: undefined, bytes: undefined, rate: undefined,
      };
      this.rows.set(key, row);
    }
    row.conns++;
    if (counters !== undefined) {
      row.packets = (row.packets ?? 0) + counters.origPackets + counters.replyPackets;
      row.bytes = (row.bytes ?? 0) + counters.origBytes + counters.replyBytes;
      this.rowOf.set(ck, key);
    }
  }

  finish(previous: Snapshot | undefined): TopReading {
    const snapshot: Snapshot = { time: this.time, counters: this.counters };
    const total: TopTotal = { conns: 0, packets: undefined, bytes: undefined, rate: undefined };
    if (previous !== undefined) {
      // only shown connections count towards rows and the total
      const shown: Snapshot = { time: this.time, counters: new Map([...this.counters].filter(([k]) => this.rowOf.has(k))) };
      const rates = groupRates(previous, shown, (k) => this.rowOf.get(k)!);
      for (const row of this.rows.values()) row.rate = rates.get(row.key);
      total.rate = zeroRate();
      for (const r of rates.values()) addRate(total.rate, r);
    }
    for (const row of this.rows.values()) {
      total.conns += row.conns;
      if (row.packets !== undefined) {
        total.packets = (total.packets ?? 0) + row.packets;
        total.bytes = (total.bytes ?? 0) + row.bytes!;
      }
    }
    return { rows: [...this.rows.values()], total, snapshot };
  }
}

function zeroRate(): Rate {
  return { bytesPerSec: 0, packetsPerSec: 0, origBytesPerSec: 0, replyBytesPerSec: 0, origPacketsPerSec: 0, replyPacketsPerSec: 0 };
}

function addRate(a: Rate, b: Rate): void {
  a.bytesPerSec += b.bytesPerSec;
  a.packetsPerSec += b.packetsPerSec;
  a.origBytesPerSec += b.origBytesPerSec;
  a.replyBytesPerSec += b.replyBytesPerSec;
  a.origPacketsPerSec += b.origPacketsPerSec;
  a.replyPacketsPerSec += b.replyPacketsPerSec;
}

function sortValue(row: TopRow, key: TopSortKey): number {
  switch (key) {
    case 'rate': return row.rate?.bytesPerSec ?? -1;
    case 'pps': return row.rate?.packetsPerSec ?? -1;
    case 'bytes': return row.bytes ?? -1;
    case 'packets': return row.packets ?? -1;
    case 'conns': return row.conns;
  }
}

/** Biggest first (smallest with `reverse`); ties by bytes, then by key so frames do not jitter. */
export function sortRows(rows: TopRow[], key: TopSortKey, reverse: boolean): TopRow[] {
  const sign = reverse ? -1 : 1;
  return rows.sort((a, b) =>
    sign * (sortValue(b, key) - sortValue(a, key)) ||
    sign * ((b.bytes ?? -1) - (a.bytes ?? -1)) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

export function nextSortKey(key: TopSortKey): TopSortKey {
  return TOP_SORT_KEYS[(TOP_SORT_KEYS.indexOf(key) + 1) % TOP_SORT_KEYS.length]!;
}
