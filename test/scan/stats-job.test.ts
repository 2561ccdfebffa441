import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scanOfConn } from '../../src/parse/conn-bytes.js';
import { createTableStats, type TableStats } from '../../src/aggregate/table-stats.js';
import { statsJob } from '../../src/scan/stats-job.js';
import type { Conn } from '../../src/model.js';
import { compileFilter, type FilterOptions } from '../../src/filter/compile-filter.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { runScan } from '../../src/scan/run-scan.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-stats-job-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const conns = (bytes: Buffer): Conn[] =>
  lineRanges(bytes).map(([s, e]) => parseConnLine(bytes.toString('latin1', s, e))).filter((c): c is Conn => c !== undefined);

async function scan(file: string, workers: number, filter?: FilterOptions): Promise<{ stats: TableStats; report: unknown; workers: number }> {
  const run = await runScan({ file }, statsJob(filter === undefined ? {} : { filter }), { emit: () => undefined, workers, parallelMin: 1, batchBytes: 4096 });
  return { stats: run.result.finish(3), report: run.report, workers: run.workers };
}

test('stats from two workers equal one thread on every fixture file (same figures, same counts)', async () => {
  let compared = 0;
  for (const f of fixtureFiles()) {
    if (conns(f.bytes).length === 0) continue;
    const path = join(ROOT, 'fixtures', f.name);
    const one = await scan(path, 0);
    const two = await scan(path, 2);
    assert.equal(two.workers, 2);
    assert.deepStrictEqual(two.stats, one.stats, f.name);
    assert.deepStrictEqual(two.report, one.report, f.name);
    compared++;
  }
  assert.ok(compared > 10);
});

test('stats from workers equal one thread on a generated table of all fixtures, many batches', async () => {
  const text = fixtureFiles().map((f) => f.bytes.toString('latin1')).join('\n').repeat(8);
  const table = join(dir, 'table.txt');
  writeFileSync(table, text, 'latin1');
  const one = await scan(table, 0);
  const two = await scan(table, 2);
  assert.ok(one.stats.count > 5000);
  assert.deepStrictEqual(two.stats, one.stats);
  assert.deepStrictEqual(two.report, one.report);
  const generated = readFileSync(join(ROOT, 'fixtures/generated/proc-300.txt'));
  writeFileSync(table, Buffer.concat(Array.from({ length: 50 }, () => generated)));
  const g1 = await scan(table, 0);
  const g2 = await scan(table, 1);
  assert.equal(g1.stats.count, 15000);
  assert.deepStrictEqual(g2.stats, g1.stats);
});

test('a collector that absorbs the parts of a table gives what one collector over it gives', () => {
  for (const f of fixtureFiles()) {
    const list = conns(f.bytes);
    if (list.length < 2) continue;
    const whole = createTableStats();
    list.forEach((c) => whole.add(scanOfConn(c)));
    const cut = Math.floor(list.length / 3);
    const a = createTableStats();
    const b = createTableStats();
    list.slice(0, cut).forEach((c) => a.add(scanOfConn(c)));
    list.slice(cut).forEach((c) => b.add(scanOfConn(c)));
    const merged = createTableStats();
    merged.absorb(b.part());
    merged.absorb(structuredClone(a.part()));
    assert.deepStrictEqual(merged.finish(5), whole.finish(5), f.name);
  }
});

test('the breakdowns and top talkers match a plain recount of every fixture entry', () => {
  const list = fixtureFiles().flatMap((f) => conns(f.bytes));
  const s = createTableStats();
  list.forEach((c) => s.add(scanOfConn(c)));
  const got = s.finish(1000000);
  const count = (key: (c: Conn) => string | undefined): Record<string, number> => {
    const m: Record<string, number> = {};
    for (const c of list) {
      const k = key(c);
      if (k !== undefined) m[k] = (m[k] ?? 0) + 1;
    }
    return m;
  };
  const sorted = (o: Record<string, number>): Array<[string, number]> => Object.entries(o).sort();
  assert.deepStrictEqual(sorted(got.families), sorted(count((c) => c.family)));
  assert.deepStrictEqual(sorted(got.protocols), sorted(count((c) => c.protocol)));
  assert.deepStrictEqual(sorted(got.breakdown), sorted(count((c) => `${c.family}/${c.protocol}/${c.state ?? '-'}`)));
  for (const [proto, states] of Object.entries(got.states)) {
    assert.deepStrictEqual(sorted(states), sorted(count((c) => (c.protocol === proto ? c.state : undefined))));
  }
  const bySrc = count((c) => c.original.src);
  assert.deepStrictEqual(got.top.sourcesByConnections.map((t) => [t.address, t.connections]).sort(), sorted(bySrc));
  const bytes = new Map<string, number>();
  for (const c of list) bytes.set(c.original.dst, (bytes.get(c.original.dst) ?? 0) + (c.bytesTotal ?? 0));
  assert.deepStrictEqual(
    got.top.destinationsByBytes.map((t) => [t.address, t.bytes]).sort(),
    [...bytes].filter(([, b]) => b > 0).sort(),
  );
});

test('with a filter (plain data to the workers), workers equal one thread and a collector fed the matching entries', async () => {
  const text = fixtureFiles().map((f) => f.bytes.toString('latin1')).join('\n').repeat(4);
  const table = join(dir, 'filtered.txt');
  writeFileSync(table, text, 'latin1');
  const list = conns(Buffer.from(text, 'latin1'));
  const filters: FilterOptions[] = [{ proto: 6, state: ['ESTABLISHED'] }, { family: 'ipv6' }, { nat: true }, { dport: 53 }];
  for (const filter of filters) {
    const one = await scan(table, 0, filter);
    const two = await scan(table, 2, filter);
    assert.equal(two.workers, 2);
    assert.deepStrictEqual(two.stats, one.stats, JSON.stringify(filter));
    const keep = compileFilter(filter);
    const expected = createTableStats();
    for (const c of list) {
      if (keep(c)) expected.add(scanOfConn(c));
      else expected.skip(c.unreplied);
    }
    assert.deepStrictEqual(one.stats, expected.finish(3), JSON.stringify(filter));
    assert.ok(one.stats.matched > 0 && one.stats.matched < one.stats.count, JSON.stringify(filter));
  }
});
