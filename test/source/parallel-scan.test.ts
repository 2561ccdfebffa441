import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listJob } from '../../src/jobs/list-job.js';
import { runScan } from '../../src/source/parallel-scan.js';
import { fixture } from '../helpers/cli.js';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-parallel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// a table with every kind of line: the captures' lines (fast and slow path), bad lines, an
// overlong line, CRLF, and no newline at the end
const base = [
  readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1'),
  readFileSync(fixture('proto-zoo/proc_nf_conntrack.txt'), 'latin1'),
  readFileSync(fixture('proto-zoo/conntrack_L_o_extended_id.txt'), 'latin1'),
].join('');
let text = '';
for (let i = 0; i < 40; i++) {
  text += base;
  if (i === 3) text += 'not a conntrack line\r\n';
  if (i === 17) text += `${'x'.repeat(20000)}\n`;
}
text += 'tcp      6 5 CLOSE src=10.9.9.9 dst=10.0.1.2 sport=9 dport=80 src=10.0.1.2 dst=10.9.9.9 sport=80 dport=9 mark=0 use=1';
const table = join(dir, 'table.txt');
writeFileSync(table, text, 'latin1');

async function run(workers: number, mode: 'top' | 'ndjson', batchBytes = 8192) {
  let out = '';
  const job = listJob({ filter: { proto: 6 }, mode, sort: 'bytes', reverse: false, limit: 7 });
  const r = await runScan({ file: table }, job, { emit: (t) => { out += t; }, workers, parallelMin: 1, batchBytes });
  return { result: r.result, report: r.report, out, workers: r.workers };
}

test('workers write the same NDJSON, in the same order, with the same counts as one thread', async () => {
  const one = await run(0, 'ndjson');
  const two = await run(2, 'ndjson');
  assert.equal(one.workers, 0);
  assert.equal(two.workers, 2);
  assert.ok(one.out.length > 10000);
  assert.equal(two.out, one.out);
  // the same output handed over as bytes (what the CLI's output sink takes)
  const chunks: Buffer[] = [];
  await runScan({ file: table }, listJob({ filter: { proto: 6 }, mode: 'ndjson', sort: 'bytes', reverse: false, limit: 7 }), {
    emit: () => assert.fail('text expected as bytes'),
    emitBytes: (b) => {
      chunks.push(Buffer.from(b));
      return true; // done with it: the buffer goes back to its worker and is refilled
    },
    workers: 2, parallelMin: 1, batchBytes: 8192,
  });
  assert.equal(Buffer.concat(chunks).toString('utf8'), one.out);
  // a sink that keeps the bytes (a stream still queueing them) must never see them overwritten
  const kept: Buffer[] = [];
  await runScan({ file: table }, listJob({ filter: { proto: 6 }, mode: 'ndjson', sort: 'bytes', reverse: false, limit: 7 }), {
    emit: () => assert.fail('text expected as bytes'),
    emitBytes: (b) => {
      kept.push(b);
      return false;
    },
    workers: 2, parallelMin: 1, batchBytes: 8192,
  });
  assert.equal(Buffer.concat(kept).toString('utf8'), one.out);
  assert.deepStrictEqual(two.report, one.report);
  // the bad line and the overlong one, numbered from the table's first line
  assert.deepStrictEqual({ skipped: one.report.skipped, first: one.report.firstSkippedLine }, { skipped: 2, first: 417 });
});

test('workers keep the same top records as one thread, with batches of a few lines or many', async () => {
  const one = await run(0, 'top');
  const two = await run(2, 'top', 300);
  const three = await run(3, 'top', 1 << 20);
  assert.equal(one.result.length, 7);
  assert.deepStrictEqual(two.result, one.result);
  assert.deepStrictEqual(three.result, one.result);
  assert.deepStrictEqual(two.report, one.report);
  assert.deepStrictEqual(three.report, one.report);
});

test('reads a small table in this thread unless told otherwise', async () => {
  const r = await runScan({ file: table }, listJob({ filter: {}, mode: 'top', sort: undefined, reverse: false, limit: 1 }), {
    emit: () => undefined, workers: 2,
  });
  assert.equal(r.workers, 0);
  assert.equal(r.result.length, 1);
});
