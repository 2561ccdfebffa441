// The rows of `ctflow top`: one per host flow (or per connection), with connection count, counters
// and rates since the previous reading, sorted by a key the user cycles through.
//
// A flow row is exactly a flow of `ctflow flows`: the connection goes through the same
// HostFlowAggregator (its direction rule: active / passive / local / forward against the local address
// set), so keys, directions and ports agree. Rates are computed per connection and only summed
// per row (see rates.ts), so regrouping never makes a rate jump or go negative.
//
// Memory: a reading keeps every matched connection's counters in compact form (conn-counters.ts;
// the previous reading is needed for rates, so it grows with the table, as any top must) and, in
// flows mode, one aggregator flow and a few numbers per row: a scanned line makes no record, and
// row objects are made only for the rows shown (TopReading.sorted).
//
// Longer than 250 lines: the row sums by row number, the rates over them and the order that
// reads them (on row objects for sortRows, on row numbers for sorted) share one layout.

import type { ConnScan } from '../parse/conn-bytes.js';
import { BYTES, NUMS, PACKETS, connOfScan, scanOfConn } from '../parse/conn-bytes.js';
import type { Conn, Family } from '../model.js';
import { ConnCounters } from './conn-counters.js';
import { KEEP_ALL } from './flow-selection.js';
import { compareFlowIdentity } from './flow-order.js';
import { HostFlowAggregator, type HostFlow } from './host-flows.js';
import { connKey, countersOf, rateOf, wentBack, zeroCounters, type Rate } from './rates.js';

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

/** One reading as the next one needs it: when (seconds, any monotonic clock) and each connection's counters. */
export interface TopSnapshot {
  time: number;
  counters: ConnCounters;
}

export interface TopReading {
  /** every row, in first-seen order (all made on first use: a view asks for sorted()) */
  readonly rows: TopRow[];
  /** how many rows */
  count: number;
  total: TopTotal;
  /** pass to the next reading */
  snapshot: TopSnapshot;
  /** the first `limit` rows in sortRows' order; only these are made */
  sorted(key: TopSortKey, reverse: boolean, limit: number): TopRow[];
}

/** A flow's identity as one string (what its row is keyed by for rates). */
export function flowKey(f: HostFlow): string {
  const nat = f.natTarget ? ` ${f.natTarget.addr} ${String(f.natTarget.port)}` : '';
  return `${f.direction} ${f.protonum} ${f.local.addr} ${String(f.local.port)} ${f.peer.addr} ${String(f.peer.port)}${nat}`;
}

/** Numbers per row, by row number: what a row adds up while the table is read. */
class RowSums {
  conns = new Float64Array(1024);
  /** 1 when a connection of the row carried counters */
  counted = new Uint8Array(1024);
  packets = new Float64Array(1024);
  bytes = new Float64Array(1024);

  /** Room for row r. */
  ensure(r: number): void {
    if (r < this.conns.length) return;
    let n = this.conns.length * 2;
    while (n <= r) n *= 2;
    const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.conns = grow(this.conns, (k) => new Float64Array(k));
    this.counted = grow(this.counted, (k) => new Uint8Array(k));
    this.packets = grow(this.packets, (k) => new Float64Array(k));
    this.bytes = grow(this.bytes, (k) => new Float64Array(k));
  }
}

/** What a connection row shows, by row number. */
interface ConnRowInfo {
  key: string;
  protocol: string;
  conn: TopConn;
}

/** Whether flow f's selection verdict is not known yet, kept, dropped. */
const UNKNOWN = 0;
const KEPT = 1;
const DROPPED = 2;

export class ReadingBuilder {
  private readonly sums = new RowSums();
  /** flows mode: the flow numbers that are rows, in first-seen order */
  private readonly flowRows: number[] = [];
  /** flows mode, with a selection: each flow's verdict */
  private verdicts = new Uint8Array(1024);
  /** connections mode: row number by connKey, and what each row shows */
  private readonly connRowOf = new Map<string, number>();
  private readonly connRows: ConnRowInfo[] = [];
  private readonly counters: ConnCounters;
  private readonly flows: HostFlowAggregator | undefined;
  private readonly byFlow: boolean;

  /**
   * `local`: this host's addresses, which decide a flow's direction. `keep`: the flow selection
   * (--active, --aport, …; aggregate/flow-selection.ts): a connection whose flow it drops is not
   * shown, in connections mode too (there the aggregator only classifies). `counters`: room to
   * reuse for this reading's counters (it is cleared), e.g. those of the reading before the previous.
   */
  constructor(
    mode: TopMode,
    private readonly time: number,
    local: ReadonlySet<string> = new Set(),
    private readonly keep: (f: HostFlow) => boolean = KEEP_ALL,
    counters?: ConnCounters,
  ) {
    this.byFlow = mode === 'flows';
    this.flows = this.byFlow || keep !== KEEP_ALL ? new HostFlowAggregator(local) : undefined;
    this.counters = counters ?? new ConnCounters();
    this.counters.clear();
  }

  /**
   * One connection of the reading. `shown` false keeps its counters for the next reading's rates
   * without showing it (the interactive address filter), so changing that filter causes no spike.
   */
  add(c: Conn, shown = true): void {
    const counters = countersOf(c);
    // the record as the fixed-shape scan flows and the counter table read (made once)
    const s = scanOfConn(c);
    const row = shown ? this.rowOfConn(c, s) : -1;
    if (counters !== undefined) this.counters.putScan(s, row);
    if (row < 0) return;
    if (counters === undefined) this.sum(row, false, 0, 0);
    else this.sum(row, true, counters.origPackets + counters.replyPackets, counters.origBytes + counters.replyBytes);
  }

  /** add() for a line the fast path scanned (and shown): in flows mode without making its record. */
  addScan(s: ConnScan): void {
    if (!this.byFlow) {
      this.add(connOfScan(s));
      return;
    }
    const row = this.flowRow(this.flows!.count(s));
    const n = s.nums;
    // countersOf's rule: counters when both directions carried them
    const counted = n[PACKETS]! >= 0 && n[NUMS + PACKETS]! >= 0;
    if (counted) this.counters.putScan(s, row);
    if (row < 0) return;
    if (counted) this.sum(row, true, n[PACKETS]! + n[NUMS + PACKETS]!, Math.max(n[BYTES]!, 0) + Math.max(n[NUMS + BYTES]!, 0));
    else this.sum(row, false, 0, 0);
  }

  private sum(row: number, counted: boolean, packets: number, bytes: number): void {
    const sums = this.sums;
    sums.conns[row]!++;
    if (!counted) return;
    sums.counted[row] = 1;
    sums.packets[row]! += packets;
    sums.bytes[row]! += bytes;
  }

  /** The row a shown record goes to, or -1 when the flow selection drops it. */
  private rowOfConn(c: Conn, s: ConnScan): number {
    if (this.byFlow) return this.flowRow(this.flows!.count(s));
    if (this.flows !== undefined && this.verdict(this.flows.count(s)) === DROPPED) return -1;
    const key = connKey(c);
    let row = this.connRowOf.get(key);
    if (row === undefined) {
      row = this.connRows.length;
      const o = c.original;
      this.connRows.push({ key, protocol: c.protocol, conn: { family: c.family, src: o.src, sport: o.sport, dst: o.dst, dport: o.dport, icmpType: o.type, state: c.state } });
      this.connRowOf.set(key, row);
      this.sums.ensure(row);
    }
    return row;
  }

  /** Flow f's row (its number), or -1 when the selection drops it. */
  private flowRow(f: number): number {
    if (this.keep !== KEEP_ALL && this.verdict(f) === DROPPED) return -1;
    this.sums.ensure(f);
    if (this.sums.conns[f] === 0) this.flowRows.push(f);
    return f;
  }

  /** The selection's verdict on flow f, decided on its first connection (it reads the identity only). */
  private verdict(f: number): number {
    if (f >= this.verdicts.length) {
      const bigger = new Uint8Array(Math.max(f + 1, this.verdicts.length * 2));
      bigger.set(this.verdicts);
      this.verdicts = bigger;
    }
    if (this.verdicts[f] === UNKNOWN) this.verdicts[f] = this.keep(this.flows!.view(f)) ? KEPT : DROPPED;
    return this.verdicts[f]!;
  }

  finish(previous: TopSnapshot | undefined): TopReading {
    const rowNumbers = this.byFlow ? this.flowRows : this.connRows.map((_, i) => i);
    const sums = this.sums;
    const total: TopTotal = { conns: 0, packets: undefined, bytes: undefined, rate: undefined };
    for (const r of rowNumbers) {
      total.conns += sums.conns[r]!;
      if (sums.counted[r] === 1) {
        total.packets = (total.packets ?? 0) + sums.packets[r]!;
        total.bytes = (total.bytes ?? 0) + sums.bytes[r]!;
      }
    }
    const rates = previous === undefined ? undefined : this.rates(previous);
    if (rates !== undefined) {
      total.rate = zeroRate();
      for (const r of rates.values()) addRate(total.rate, r);
    }
    const flows = this.flows;
    const info = this.connRows;
    const made = new Map<number, TopRow>();
    const rowAt = (r: number): TopRow => {
      let row = made.get(r);
      if (row !== undefined) return row;
      const counted = sums.counted[r] === 1;
      const counts = { conns: sums.conns[r]!, packets: counted ? sums.packets[r]! : undefined, bytes: counted ? sums.bytes[r]! : undefined, rate: rates?.get(r) };
      if (this.byFlow) {
        const flow = flows!.flow(r);
        row = { key: flowKey(flow), protocol: flow.protocol, flow, conn: undefined, ...counts };
      } else {
        row = { key: info[r]!.key, protocol: info[r]!.protocol, flow: undefined, conn: info[r]!.conn, ...counts };
      }
      made.set(r, row);
      return row;
    };
    let all: TopRow[] | undefined;
    return {
      get rows() {
        return (all ??= rowNumbers.map(rowAt));
      },
      count: rowNumbers.length,
      total,
      snapshot: { time: this.time, counters: this.counters },
      sorted: (key, reverse, limit) => {
        // sortRows' order on row numbers: sums read from the arrays, row objects made only for
        // rows whose tie goes down to their identity, and for the rows returned
        const counted = (r: number, n: Float64Array): number => (sums.counted[r] === 1 ? n[r]! : -1);
        const value = (r: number): number => {
          switch (key) {
            case 'rate': return rates?.get(r)?.bytesPerSec ?? -1;
            case 'pps': return rates?.get(r)?.packetsPerSec ?? -1;
            case 'bytes': return counted(r, sums.bytes);
            case 'packets': return counted(r, sums.packets);
            case 'conns': return sums.conns[r]!;
          }
        };
        const values = new Float64Array(sums.conns.length);
        for (const r of rowNumbers) values[r] = value(r);
        const order = rowNumbers.slice().sort(rowComparator<number>({
          value: (r) => values[r]!, bytes: (r) => counted(r, sums.bytes), conns: (r) => sums.conns[r]!,
          identity: (a, b) => compareIdentity(rowAt(a), rowAt(b)),
        }, reverse));
        return order.slice(0, Math.max(0, limit)).map(rowAt);
      },
    };
  }

  /**
   * Rates per row since `previous`: each shown connection's delta (rates.ts's rule), summed into
   * its row; the rows in the order their first connection was held (the total adds them so).
   */
  private rates(previous: TopSnapshot): Map<number, Rate> {
    const current = this.counters;
    const before = previous.counters;
    // four sums a row (orig packets, orig bytes, reply packets, reply bytes), no object a connection
    const deltas = new Float64Array(this.sums.conns.length * 4);
    /** the rows in the order their first connection was held (the total adds them so) */
    const order: number[] = [];
    const seen = new Uint8Array(this.sums.conns.length);
    const now = zeroCounters();
    const then = zeroCounters();
    for (let e = 0; e < current.size; e++) {
      const row = current.rowOf(e);
      if (row < 0) continue;
      current.countersInto(e, now);
      const p = before.entryOf(current, e);
      // counterDelta's rule: a new connection, or one whose counters went back, counts whole
      const whole = p < 0 || wentBack(before.countersInto(p, then), now);
      const b = row * 4;
      if (seen[row] === 0) {
        seen[row] = 1;
        order.push(row);
      }
      deltas[b]! += whole ? now.origPackets : now.origPackets - then.origPackets;
      deltas[b + 1]! += whole ? now.origBytes : now.origBytes - then.origBytes;
      deltas[b + 2]! += whole ? now.replyPackets : now.replyPackets - then.replyPackets;
      deltas[b + 3]! += whole ? now.replyBytes : now.replyBytes - then.replyBytes;
    }
    const seconds = this.time - previous.time;
    const rates = new Map<number, Rate>();
    for (const row of order) {
      const b = row * 4;
      const r = rateOf({ origPackets: deltas[b]!, origBytes: deltas[b + 1]!, replyPackets: deltas[b + 2]!, replyBytes: deltas[b + 3]! }, seconds);
      if (r !== undefined) rates.set(row, r);
    }
    return rates;
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

/** What a row is ordered by, read from a row object or from a row number's sums. */
interface RowOrder<T> {
  value(row: T): number;
  bytes(row: T): number;
  conns(row: T): number;
  identity(a: T, b: T): number;
}

/**
 * Biggest first (smallest with `reverse`); ties by bytes, then connections, then identity, so
 * frames do not jitter and a first frame lists flows in the order `ctflow flows` does.
 */
function rowComparator<T>(o: RowOrder<T>, reverse: boolean): (a: T, b: T) => number {
  const sign = reverse ? -1 : 1;
  return (a, b) =>
    sign * (o.value(b) - o.value(a)) ||
    sign * (o.bytes(b) - o.bytes(a)) ||
    sign * (o.conns(b) - o.conns(a)) ||
    o.identity(a, b);
}

/** The rows in place, in the order of rowComparator. */
export function sortRows(rows: TopRow[], key: TopSortKey, reverse: boolean): TopRow[] {
  return rows.sort(rowComparator<TopRow>({
    value: (r) => sortValue(r, key), bytes: (r) => r.bytes ?? -1, conns: (r) => r.conns, identity: compareIdentity,
  }, reverse));
}

export function nextSortKey(key: TopSortKey): TopSortKey {
  return TOP_SORT_KEYS[(TOP_SORT_KEYS.indexOf(key) + 1) % TOP_SORT_KEYS.length]!;
}
