// The records `list` must sort, kept in a compact columnar form instead of one `Conn` each: a
// million records as objects cost list gigabytes and most of its time in the garbage collector
// (issue 15). Each kept entry is a row in a line arena (line-arena.ts): a line the fast path
// read as its scan packed (parse/packed-scan.ts, ~55 bytes), any other as its line; beside it,
// per entry, only the numbers the order compares, in typed arrays. The order is an index array
// sorted by those columns (column-sort.ts); a record is made again from its row when it is
// written (storedRowSink, parse/conn-records.ts: the same record, or the same scan), one at a
// time. A store filled by the store-rows job (addRows, scan/store-rows-job.ts) may keep, instead,
// the row a table or CSV writes for each record, made in the same parse.
//
// The columns spell connOrder (conn-order.ts) exactly, tiebreak included: a descending number is
// stored negated, so every column ascends; addresses, protocol names and states are stored as
// their rank among the table's own (compareAddress's order, string order); the tiebreak's nine
// fields are packed into three doubles and a zone, each exact below 2^53 (the parser bounds
// every field: ports, ids, GRE keys and zones to 16 bits, the protocol number to 8); entries
// equal in every field keep their input order, as the stable Array sort did
// (test/aggregate/conn-store.test.ts holds the two orders equal on every fixture).
//
// A line the fast path read is kept from its scan (addScan: no record made, as flows and stats
// count), any other from its record (add), and a store-rows job's row from its scan unpacked or
// its line (addRows); all fill the same columns (the tests hold each to connOrder).
//
// During the read the columns grow in pages (no doubling copy, whose two live copies set the
// peak); sorting joins each into one array, unless the first page, sized by the file's size,
// held them all. `none` keeps only the lines (--sort none --reverse: the table backwards).
//
// Longer than 250 lines: the columns' layout, the two ways in, the ranks and the comparator are
// one encoding of connOrder, read together whenever either side changes.

import type { Conn } from '../model.js';
import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { BYTES, ConnScan, DPORT, ICMP_ID, ORIG_DST, ORIG_SRC, PACKETS, SPORT, connOfScan, scanTotal } from '../parse/conn-bytes.js';
import { emptyReport, storedRowSink } from '../parse/conn-records.js';
import { PACKED_MAX, packScan } from '../parse/packed-scan.js';
import { AddressNumbers } from './address-numbers.js';
import type { ListSortKey } from './conn-order.js';
import { join, LineArena, type GatheredRows } from './line-arena.js';
import { sortByColumns, type SortColumn } from './column-sort.js';

/** list's orders: a key (`none`: the table's own), or undefined for the default (bytes, then timeout) */
export type StoreOrder = ListSortKey | undefined;

/** Records by position: an array is one, and so is a sorted store (made again on each `at`). */
export interface ConnList {
  readonly length: number;
  at(i: number): Conn | undefined;
}

/**
 * A sorted store: `record(i)` is the i-th as its line reads again, a scan (valid until the next
 * call; a writer of bytes needs no record) or, for another shape, its record.
 */
export interface StoredConns extends ConnList {
  record(i: number): ConnScan | Conn | undefined;
  /**
   * The rows of records [from, to) in order, each ended by a newline, as a table source: a scan
   * job reads them again (in parallel, as a file is read) to write them. `bytes`: their size.
   */
  lines(from: number, to: number): GatheredRows;
}

/** records per page of a column, after the first */
const PAGE = 1 << 16;

const P17 = 2 ** 17;
const P25 = 2 ** 25;
const P34 = 2 ** 34;

const num = (v: number | undefined): number => (v === undefined ? -1 : v);

const EMPTY: Float64Array = new Float64Array(0);
const EMPTY16: Uint16Array = new Uint16Array(0);

/** How a store is made (see the constructor). */
export interface StoreOptions {
  capacity?: number | undefined;
  page?: number | undefined;
  warm?: (() => Buffer) | (() => Buffer | undefined) | undefined;
  /**
   * true: addRows gets two rows a record, its key row and the row shown for it, and keeps the
   * second: `lines` then hands out those (a table's cell rows, CSV lines), not records
   */
  shown?: boolean | undefined;
}

export class ConnStore {
  private n = 0;
  /** every page of each column, and the page now filled (the last) */
  private readonly pages: Record<'p1' | 'p2' | 'a' | 'b' | 'c', Float64Array[]> = { p1: [], p2: [], a: [], b: [], c: [] };
  private readonly zonePages: Uint16Array[] = [];
  private readonly kept: LineArena;
  private readonly shown: boolean;
  private p1Page = EMPTY;
  private p2Page = EMPTY;
  private aPage = EMPTY;
  private bPage = EMPTY;
  private cPage = EMPTY;
  private zonePage = EMPTY16;
  /** the record at which the current pages begin, and the one they end before */
  private pageStart = 0;
  private pageEnd = 0;
  private readonly addresses = new AddressNumbers(() => undefined);
  private readonly names = new Map<string, number>();
  /** the primary column's value: none for `none`, nor for src (the tiebreak orders by it first) */
  private readonly p1: ((c: Conn) => number) | undefined;
  private readonly p1Scan: ((s: ConnScan) => number) | undefined;
  /** what p1 holds until sorted when not the compared number itself: ids to rank */
  private readonly p1Ids: 'address' | 'name' | undefined;
  private readonly keepsKeys: boolean;
  private readonly capacity: number;
  private readonly page: number;

  /**
   * `capacity`: how many records the table may hold at most, when known (a file's size over the
   * shortest line): the first pages are that long, so the columns need no joining, and the
   * pages never written to cost no memory (the kernel maps them in when first touched).
   * `page`: the length of the pages after it (tests make it small). `warm`: where the line
   * arena's full-size chunks come from (line-arena.ts).
   */
  constructor(private readonly key: StoreOrder, options: StoreOptions = {}) {
    this.capacity = options.capacity ?? 0;
    this.page = options.page ?? PAGE;
    this.kept = new LineArena(this.capacity, this.page, options.warm);
    this.shown = options.shown === true;
    this.keepsKeys = key !== 'none';
    this.p1Ids = key === 'dst' ? 'address' : key === 'proto' || key === 'state' ? 'name' : undefined;
    this.p1 = primary(key, (a) => this.addresses.of(a), (s) => this.nameId(s));
    this.p1Scan = primaryOfScan(key, (s, k) => this.addresses.ofScan(s, k), (s) => this.nameId(s));
  }

  /** Keeps one record (an OnConn: the record and its line). */
  readonly add = (c: Conn, buf: Buffer, start: number, end: number): void => {
    this.kept.keep(buf, start, end);
    this.columnsOf(c);
  };

  /**
   * Keeps one line the fast path read (an OnScan), with no record made: its scan packed
   * (parse/packed-scan.ts; its line when it cannot be), and the same columns as `add` from the
   * scan's numbers (-1 where a record has undefined; no GRE keys on that path).
   */
  readonly addScan = (s: ConnScan, buf: Buffer, start: number, end: number): void => {
    if (!this.keepPacked(s)) this.kept.keep(buf, start, end);
    this.columnsOfScan(s);
  };

  /**
   * Keeps the rows the store-rows job made of the table's kept records (scan/store-rows-job.ts),
   * as they come, each ended by a newline: each record's key row (a packed scan or its line),
   * whose columns are read from it (a packed scan unpacked, not parsed), and in a `shown` store
   * the row shown for it after it. The buffer itself is kept (LineArena.keepChunk): the key rows,
   * or in a `shown` store the rows after them.
   */
  readonly addRows = (rows: Buffer): void => {
    this.shownNext = false;
    this.kept.keepChunk(rows, this.shown, this.rowSeen);
  };

  /** whether the next row addRows sees is a shown row (else a key row) */
  private shownNext = false;

  /** Each row addRows keeps, in one pass with keeping it: a key row's columns. */
  private readonly rowSeen = (rows: Buffer, start: number, end: number): void => {
    if (!this.shownNext) {
      // (`none` compares nothing: a row is only counted)
      if (this.keepsKeys) this.rowColumns.line(rows, start, end);
      else this.next();
    }
    this.shownNext = this.shown && !this.shownNext;
  };

  private readonly rowColumns = storedRowSink(emptyReport(), false, (c) => this.columnsOf(c), (s) => this.columnsOfScan(s));

  private columnsOf(c: Conn): void {
    const j = this.next();
    if (j < 0) return;
    const o = c.original;
    if (this.p1 !== undefined) this.p1Page[j] = this.p1(c);
    if (this.key === undefined) this.p2Page[j] = -num(c.timeout);
    this.aPage[j] = this.addresses.of(o.src) * P17 + num(o.sport) + 1;
    this.bPage[j] = (this.addresses.of(o.dst) * P17 + num(o.dport) + 1) * 256 + c.protonum;
    this.cPage[j] = (num(o.id) + 1) * P34 + (num(o.srckey) + 1) * P17 + num(o.dstkey) + 1;
    this.zonePage[j] = c.zone;
  }

  private columnsOfScan(s: ConnScan): void {
    const j = this.next();
    if (j < 0) return;
    const n = s.nums;
    if (this.p1Scan !== undefined) this.p1Page[j] = this.p1Scan(s);
    if (this.key === undefined) this.p2Page[j] = -s.timeout;
    this.aPage[j] = this.addresses.ofScan(s, ORIG_SRC) * P17 + n[SPORT]! + 1;
    this.bPage[j] = (this.addresses.ofScan(s, ORIG_DST) * P17 + n[DPORT]! + 1) * 256 + s.protonum;
    this.cPage[j] = (n[ICMP_ID]! + 1) * P34;
    this.zonePage[j] = s.zone;
  }

  /** One record more: its index in the current pages to fill its columns at, or -1 when it has none. */
  private next(): number {
    if (this.n === this.pageEnd) this.newPages();
    const j = this.n - this.pageStart;
    this.n++;
    return this.keepsKeys ? j : -1;
  }

  /** Keeps scan `s` packed; false when it cannot be (its line is kept instead). */
  private keepPacked(s: ConnScan): boolean {
    const kept = this.kept;
    const end = packScan(s, kept.room(PACKED_MAX), kept.roomAt);
    if (end < 0) return false;
    kept.keepWritten(end);
    return true;
  }

  /**
   * The records' positions (in the order they were kept) in connOrder(key, reverse) (for
   * `none`: the table's order, or backwards). Once only: the columns are given up to sort.
   */
  private order(reverse: boolean): Uint32Array {
    const n = this.n;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = reverse && !this.keepsKeys ? n - 1 - i : i;
    if (this.keepsKeys) {
      const { compare, columns } = this.comparator(reverse);
      sortByColumns(order, columns, reverse, compare);
    }
    this.p1Page = this.p2Page = this.aPage = this.bPage = this.cPage = EMPTY;
    this.zonePage = EMPTY16;
    return order;
  }

  /**
   * The records in order(reverse), read again from their rows (in a `shown` store, only their
   * shown rows, by `lines`). Once only: the columns are given up to sort.
   */
  sorted(reverse: boolean): StoredConns {
    const order = this.order(reverse);
    const rows = this.kept.sealed();
    const n = order.length;
    let last: ConnScan | Conn | undefined;
    // the first read's line handler: the same record again, or the same scan
    const reader = storedRowSink(emptyReport(), false, (c) => (last = c), (s) => (last = s));
    const readLine = (buf: Buffer, start: number, end: number): ConnScan | Conn | undefined => {
      last = undefined;
      reader.line(buf, start, end);
      return last;
    };
    const record = (i: number): ConnScan | Conn | undefined => {
      const r = order[i];
      return r === undefined ? undefined : rows.row(r, readLine);
    };
    return {
      length: n,
      record,
      lines: (from, to) => rows.gather(order, from, to),
      at(i) {
        const r = record(i);
        return r instanceof ConnScan ? connOfScan(r) : r;
      },
    };
  }

  /** connOrder(key, reverse) over the record numbers, and the columns it compares in turn. */
  private comparator(reverse: boolean): { compare: (a: number, b: number) => number; columns: SortColumn[] } {
    const n = this.n;
    const ranks = addressRanks(this.addresses.addresses);
    const p1 = this.p1 === undefined ? undefined : join(this.pages.p1, n, Float64Array);
    if (p1 !== undefined && this.p1Ids !== undefined) {
      const rank = this.p1Ids === 'address' ? ranks : nameRanks(this.names);
      for (let i = 0; i < n; i++) p1[i] = rank[p1[i]!]!;
    }
    const p2 = this.key === undefined ? join(this.pages.p2, n, Float64Array) : undefined;
    const a = join(this.pages.a, n, Float64Array);
    const b = join(this.pages.b, n, Float64Array);
    const c = join(this.pages.c, n, Float64Array);
    const zone = join(this.zonePages, n, Uint16Array);
    // the addresses' ids become their ranks, in place
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const id = Math.floor(x / P17);
      a[i] = ranks[id]! * P17 + (x - id * P17);
      const y = b[i]!;
      const q = Math.floor(y / P25);
      b[i] = ranks[q]! * P25 + (y - q * P25);
    }
    const s = reverse ? -1 : 1;
    const compare = (i: number, j: number): number => {
      let d: number;
      if (p1 !== undefined && (d = p1[i]! - p1[j]!) !== 0) return s * d;
      if (p2 !== undefined && (d = p2[i]! - p2[j]!) !== 0) return s * d;
      if ((d = a[i]! - a[j]!) !== 0) return s * d;
      if ((d = b[i]! - b[j]!) !== 0) return s * d;
      if ((d = c[i]! - c[j]!) !== 0) return s * d;
      if ((d = zone[i]! - zone[j]!) !== 0) return s * d;
      // equal in every field: input order, reversed or not (a stable sort's)
      return i - j;
    };
    const columns = [p1, p2, a, b, c, zone].filter((column) => column !== undefined);
    return { compare, columns };
  }

  private newPages(): void {
    const size = this.n === 0 ? Math.max(this.page, this.capacity) : this.page;
    this.pageStart = this.n;
    this.pageEnd = this.n + size;
    const page = (list: Float64Array[]): Float64Array => {
      const p = new Float64Array(size);
      list.push(p);
      return p;
    };
    const page16 = (list: Uint16Array[]): Uint16Array => {
      const p = new Uint16Array(size);
      list.push(p);
      return p;
    };
    const p = this.pages;
    if (!this.keepsKeys) return;
    if (this.p1 !== undefined) this.p1Page = page(p.p1);
    if (this.key === undefined) this.p2Page = page(p.p2);
    this.aPage = page(p.a);
    this.bPage = page(p.b);
    this.cPage = page(p.c);
    this.zonePage = page16(this.zonePages);
  }

  private nameId(name: string): number {
    let id = this.names.get(name);
    if (id === undefined) {
      id = this.names.size;
      this.names.set(name, id);
    }
    return id;
  }
}

/** The primary column's value of a record, as it compares ascending; undefined: no such column. */
function primary(key: StoreOrder, address: (a: string) => number, name: (s: string) => number): ((c: Conn) => number) | undefined {
  switch (key) {
    case undefined:
    case 'bytes':
      return (c) => -num(c.bytesTotal);
    case 'packets':
      return (c) => -num(c.packetsTotal);
    case 'timeout':
      return (c) => -num(c.timeout);
    case 'dst':
      return (c) => address(c.original.dst);
    case 'sport':
      return (c) => num(c.original.sport);
    case 'dport':
      return (c) => num(c.original.dport);
    case 'proto':
      return (c) => name(c.protocol);
    case 'state':
      return (c) => name(c.state ?? '');
    // src: the tiebreak's first field; none: no order at all
    case 'src':
    case 'none':
      return undefined;
  }
}

/** primary's value from a scan: -1 where the record's field is undefined, as num() makes it. */
function primaryOfScan(key: StoreOrder, address: (s: ConnScan, k: number) => number, name: (s: string) => number): ((s: ConnScan) => number) | undefined {
  switch (key) {
    case undefined:
    case 'bytes':
      return (s) => -scanTotal(s, BYTES);
    case 'packets':
      return (s) => -scanTotal(s, PACKETS);
    case 'timeout':
      return (s) => -s.timeout;
    case 'dst':
      return (s) => address(s, ORIG_DST);
    case 'sport':
      return (s) => s.nums[SPORT]!;
    case 'dport':
      return (s) => s.nums[DPORT]!;
    case 'proto':
      return (s) => name(s.protocol);
    case 'state':
      return (s) => name(s.state ?? '');
    case 'src':
    case 'none':
      return undefined;
  }
}

/**
 * Each address's rank in compareAddress's order (conn-order.ts), by id: IPv4 numerically before
 * IPv6, IPv6 by its groups, then by text; each address parsed once.
 */
export function addressRanks(addresses: readonly string[]): Uint32Array {
  const v4 = addresses.map((a) => parseIPv4(a));
  const v6 = addresses.map((a, i) => (v4[i] === undefined ? parseIPv6(a) ?? [] : []));
  const compare = (x: number, y: number): number => {
    const a4 = v4[x];
    const b4 = v4[y];
    if (a4 !== undefined && b4 !== undefined) return a4 - b4;
    if (a4 !== undefined) return -1;
    if (b4 !== undefined) return 1;
    const a6 = v6[x]!;
    const b6 = v6[y]!;
    for (let i = 0; i < 8; i++) {
      const d = (a6[i] ?? 0) - (b6[i] ?? 0);
      if (d !== 0) return d;
    }
    const a = addresses[x]!;
    const b = addresses[y]!;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  return ranksOf(addresses.length, compare);
}

/** Each name's rank in string order, by id. */
function nameRanks(names: Map<string, number>): Uint32Array {
  const byId: string[] = [];
  for (const [name, id] of names) byId[id] = name;
  return ranksOf(byId.length, (x, y) => (byId[x]! < byId[y]! ? -1 : byId[x]! > byId[y]! ? 1 : 0));
}

/** Ranks of ids 0…n−1 under `compare`: equal ids share a rank. */
function ranksOf(n: number, compare: (x: number, y: number) => number): Uint32Array {
  const ids = Array.from({ length: n }, (_, i) => i).sort(compare);
  const rank = new Uint32Array(n);
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && compare(ids[i - 1]!, ids[i]!) !== 0) r++;
    rank[ids[i]!] = r;
  }
  return rank;
}
