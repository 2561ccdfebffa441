import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareAddress, connOrder, LIST_SORT_KEYS, type ListSortKey } from '../../src/aggregate/conn-order.js';
import { addressRanks, ConnStore, type StoreOptions } from '../../src/aggregate/conn-store.js';
import type { Conn } from '../../src/model.js';
import { ConnScan } from '../../src/parse/conn-bytes.js';
import { connLineSink, emptyReport } from '../../src/parse/conn-records.js';
import { connToJsonLine } from '../../src/render/conn-json.js';
import { connToCsv } from '../../src/render/conn-csv.js';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { GrowBuffer } from '../../src/source/byte-sink.js';
import { STORE_ROWS } from '../../src/scan/store-rows-job.js';
import { fixtureFiles } from '../helpers/fixture-lines.js';

// every fixture line, twice: entries equal in every field must keep their input order
const table = Buffer.concat(fixtureFiles().flatMap((f) => [f.bytes, Buffer.from('\n')]));
const doubled = Buffer.concat([table, table]);

/** Every record of `bytes` into a store (by record, or by scan where the fast path reads the line), and as records. */
function read(bytes: Buffer, key: ListSortKey | undefined, scans: boolean, options?: StoreOptions): { store: ConnStore; conns: Conn[] } {
  const store = new ConnStore(key, options);
  const conns: Conn[] = [];
  const sink = connLineSink(emptyReport(), false, (c, buf, start, end) => {
    conns.push(c);
    store.add(c, buf, start, end);
  }, scans ? (s, buf, start, end) => {
    const copy = connLineSink(emptyReport(), false, (c) => conns.push(c));
    copy.line(buf, start, end);
    store.addScan(s, buf, start, end);
  } : undefined);
  const splitter = new ByteLineSplitter(sink);
  splitter.push(bytes);
  splitter.end();
  return { store, conns };
}

/**
 * Every record of `bytes` into a store as the rows the store-rows job makes of them, given to
 * addRows in buffers of `chunk` lines; `shown`: a CSV line after each key row, kept instead of it.
 */
function readRows(bytes: Buffer, key: ListSortKey | undefined, chunk = 97, shown = false): ConnStore {
  const store = new ConnStore(key, { page: 50, shown });
  const sink = new GrowBuffer(1 << 16, true);
  const table = { color: false, numeric: false, layout: { width: undefined, exact: false } };
  const pack = STORE_ROWS.create({ filter: {}, shown: shown ? 'csv' : undefined, table }, (text) => sink.write(text), sink);
  const lines = connLineSink(emptyReport(), false, pack.conn, pack.scanned);
  let n = 0;
  const splitter = new ByteLineSplitter({
    ...lines,
    line(buf, start, end) {
      lines.line(buf, start, end);
      if (++n % chunk === 0 && sink.pos > 0) store.addRows(sink.take());
    },
  });
  splitter.push(bytes);
  splitter.end();
  if (sink.pos > 0) store.addRows(sink.take());
  return store;
}

const json = (list: { length: number; at(i: number): Conn | undefined }): string[] =>
  Array.from({ length: list.length }, (_, i) => connToJsonLine(list.at(i)!));

describe('ConnStore: the records connOrder sorts, kept as lines and columns', () => {
  for (const scans of [false, true]) {
    for (const key of [undefined, ...LIST_SORT_KEYS]) {
      for (const reverse of [false, true]) {
        it(`${key ?? 'default'}${reverse ? ' reversed' : ''}, ${scans ? 'fast-path lines as scans' : 'records'}: the order of a stable sort by connOrder`, () => {
          const { store, conns } = read(doubled, key, scans);
          assert.ok(conns.length > 1000, 'the fixtures hold over a thousand records');
          const want = key === 'none'
            ? (reverse ? [...conns].reverse() : conns)
            : [...conns].sort(connOrder(key, reverse));
          const got = store.sorted(reverse);
          assert.equal(got.length, conns.length);
          assert.deepStrictEqual(json(got), want.map(connToJsonLine));
        });
      }
    }
  }

  for (const key of [undefined, ...LIST_SORT_KEYS]) {
    for (const reverse of [false, true]) {
      it(`${key ?? 'default'}${reverse ? ' reversed' : ''}, the store-rows job's rows (addRows): the same records in the same order`, () => {
        const { conns } = read(doubled, key, true);
        const want = key === 'none'
          ? (reverse ? [...conns].reverse() : conns)
          : [...conns].sort(connOrder(key, reverse));
        assert.deepStrictEqual(json(readRows(doubled, key).sorted(reverse)), want.map(connToJsonLine));
      });
    }
  }

  it('keeps fast-path lines packed, in fewer bytes than their lines, and gives each back as its scan', () => {
    // records kept by `add` keep their lines
    const { store, conns } = read(table, 'none', false);
    const lines = store.sorted(false).lines(0, conns.length);
    for (const how of ['addScan', 'addRows'] as const) {
      const sorted = (how === 'addScan' ? read(table, 'none', true).store : readRows(table, 'none')).sorted(false);
      const rows = sorted.lines(0, conns.length);
      assert.ok(rows.bytes < lines.bytes * 0.6, `${how}: ${rows.bytes} bytes of rows for ${lines.bytes} of lines`);
      const kinds = new Set(conns.map((_, i) => (sorted.record(i) instanceof ConnScan ? 'scan' : 'record')));
      assert.deepStrictEqual([...kinds].sort(), ['record', 'scan'], how);
    }
  });

  for (const [capacity, page] of [[0, 7], [50, 100], [100_000, 16]]) {
    it(`keeps the same order in columns of any page size (first page ${capacity}, then ${page})`, () => {
      const { store, conns } = read(table, undefined, true, { capacity, page });
      assert.deepStrictEqual(json(store.sorted(false)), [...conns].sort(connOrder(undefined, false)).map(connToJsonLine));
    });
  }

  it('a store of shown rows hands out the row after each key row, in the same order', async () => {
    for (const [key, reverse] of [[undefined, false], ['dst', true], ['none', true]] as Array<[ListSortKey | undefined, boolean]>) {
      const { conns } = read(doubled, key, true);
      const want = (key === 'none' ? (reverse ? [...conns].reverse() : conns) : [...conns].sort(connOrder(key, reverse))).map(connToCsv).join('');
      const sorted = readRows(doubled, key, 97, true).sorted(reverse);
      assert.equal(sorted.length, conns.length);
      const gathered: Buffer[] = [];
      const rows = sorted.lines(0, sorted.length);
      for await (const batch of rows.chunks) gathered.push(Buffer.from(batch));
      assert.equal(Buffer.concat(gathered).toString(), want, `${key ?? 'default'}${reverse ? ' reversed' : ''}`);
      assert.equal(rows.bytes, Buffer.byteLength(want));
    }
  });

  it('gives back a fast-path line as its scan and any other as its record', () => {
    const { store, conns } = read(table, 'none', true);
    const sorted = store.sorted(false);
    const kinds = new Set(conns.map((_, i) => (sorted.record(i) instanceof ConnScan ? 'scan' : 'record')));
    assert.deepStrictEqual([...kinds].sort(), ['record', 'scan']);
    assert.equal(sorted.record(conns.length), undefined);
  });

  it('ranks addresses as compareAddress orders them', () => {
    const addresses = ['10.0.0.10', 'fd00::1', '10.0.0.9', '::1', '::ffff:10.0.0.1', '255.255.255.255', '0.0.0.0', 'fd00::1:0'];
    const ranks = addressRanks(addresses);
    const byRank = addresses.map((a, i) => [ranks[i]!, a] as const).sort((x, y) => x[0] - y[0]).map(([, a]) => a);
    assert.deepStrictEqual(byRank, [...addresses].sort(compareAddress));
    assert.deepStrictEqual([...ranks].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
