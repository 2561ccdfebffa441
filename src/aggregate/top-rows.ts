// The rows of `ctflow top`: one per host flow (or per connection), with connection count, counters
// and rates since the previous reading, sorted by a key the user cycles through.
//
// A flow row is exactly a flow of `ctflow flows`: the connection goes through the same
// HostFlowAggregator (its direction rule: active / passive / local / forward against the local address
// set), so keys, directions and ports agree. Rates are computed per connection and only summed
// per row (see rates.ts), so regrouping never makes a rate jump or go negative.
//
// Memory: one reading keeps every matched connection's counters (the previous reading is needed
// for rates), so it grows with the table, as any top must; rows are small objects.

import type { Conn, Family } from '../model.js';
import { KEEP_ALL } from './flow-selection.js';
import { compareFlowIdentity } from './flow-order.js';
import { HostFlowAggregator, type HostFlow } from './host-flows.js';
import { connKey, countersOf, groupRates, type Counters, type Rate, type Snapshot } from './rates.js';

export type TopMode = 'flows' | 'connections';

export const TOP_SORT_KEYS = ['rate', 'pps', 'bytes', 'packets', 'conns'] as const;
export type TopSortKey = (typeof TOP_SORT_KEYS)[number];

/** A connection row's family, original tuple and state. */
export interface TopConn {
  family: Family;
  src: string;
  sport: number | undefined;
  dst: string;
  dport: number | undefined;
  /** ICMP type, for ICMP rows */
  icmpType: number | undefined;
  state: string | undefined;
}

export interface TopRow {
  key: string;
  protocol: string;
  /** flow rows: the host flow (its identity; top's own counters below are what it shows) */
  flow: HostFlow | undefined;
  /** connection rows */
  conn: TopConn | undefined;
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

/** A flow's identity as one string (what its row is keyed by for rates). */
export function flowKey(f: HostFlow): string {
  const nat = f.natTarget ? ` ${f.natTarget.addr} ${String(f.natTarget.port)}` : '';
  return `${f.direction} ${f.protonum} ${f.local.addr} ${String(f.local.port)} ${f.peer.addr} ${String(f.peer.port)}${nat}`;
}

export class ReadingBuilder {
  private readonly rows = new Map<string, TopRow>();
  private readonly flowRows = new Map<HostFlow, TopRow>();
  private readonly counters = new Map<string, Counters>();
  private readonly rowOf = new Map<string, string>();
  private readonly flows: HostFlowAggregator | undefined;
  private readonly byFlow: boolean;

  /**
   * `local`: this host's addresses, which decide a flow's direction. `keep`: the flow selection
   * (--active, --aport, …; aggregate/flow-selection.ts): a connection whose flow it drops is not
   * shown, in connections mode too (there the aggregator only classifies).
   */
  constructor(
    mode: TopMode,
    private readonly time: number,
    local: ReadonlySet<string> = new Set(),
    private readonly keep: (f: HostFlow) => boolean = KEEP_ALL,
  ) {
    this.byFlow = mode === 'flows';
    this.flows = this.byFlow || keep !== KEEP_ALL ? new HostFlowAggregator(local) : undefined;
  }

  /**
   * One connection of the reading. `shown` false keeps its counters for the next reading's rates
   * without showing it (the interactive address filter), so changing that filter causes no spike.
   */
  add(c: Conn, shown = true): void {
    const ck = connKey(c);
    const counters = countersOf(c);
    if (counters !== undefined) this.counters.set(ck, counters);
    if (!shown) return;
    let row: TopRow;
    if (this.flows === undefined) row = this.connRow(c, ck);
    else {
      const flow = this.flows.add(c);
      // dropped by the selection: kept for the next reading's rates only, like `shown` false
      if (this.keep !== KEEP_ALL && !this.keep(flow)) return;
      row = this.byFlow ? this.flowRow(c, flow) : this.connRow(c, ck);
    }
    row.conns++;
    if (counters !== undefined) {
      row.packets = (row.packets ?? 0) + counters.origPackets + counters.replyPackets;
      row.bytes = (row.bytes ?? 0) + counters.origBytes + counters.replyBytes;
      this.rowOf.set(ck, row.key);
    }
  }

  private flowRow(c: Conn, flow: HostFlow): TopRow {
    let row = this.flowRows.get(flow);
    if (row === undefined) {
      row = { key: flowKey(flow), protocol: c.protocol, flow, conn: undefined, conns: 0, packets: undefined, bytes: undefined, rate: undefined };
      this.flowRows.set(flow, row);
      this.rows.set(row.key, row);
    }
    return row;
  }

  private connRow(c: Conn, key: string): TopRow {
    let row = this.rows.get(key);
    if (row === undefined) {
      const o = c.original;
      row = {
        key, protocol: c.protocol, flow: undefined,
        conn: { family: c.family, src: o.src, sport: o.sport, dst: o.dst, dport: o.dport, icmpType: o.type, state: c.state },
        conns: 0, packets: undefined, bytes: undefined, rate: undefined,
      };
      this.rows.set(key, row);
    }
    return row;
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

/** Ties, never reversed: flows in `ctflow flows` order (identity), connections by key. */
function compareIdentity(a: TopRow, b: TopRow): number {
  if (a.flow !== undefined && b.flow !== undefined) return compareFlowIdentity(a.flow, b.flow);
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Biggest first (smallest with `reverse`); ties by bytes, then connections, then identity, so
 * frames do not jitter and a first frame lists flows in the order `ctflow flows` does.
 */
export function sortRows(rows: TopRow[], key: TopSortKey, reverse: boolean): TopRow[] {
  const sign = reverse ? -1 : 1;
  return rows.sort((a, b) =>
    sign * (sortValue(b, key) - sortValue(a, key)) ||
    sign * ((b.bytes ?? -1) - (a.bytes ?? -1)) ||
    sign * (b.conns - a.conns) ||
    compareIdentity(a, b),
  );
}

export function nextSortKey(key: TopSortKey): TopSortKey {
  return TOP_SORT_KEYS[(TOP_SORT_KEYS.indexOf(key) + 1) % TOP_SORT_KEYS.length]!;
}
