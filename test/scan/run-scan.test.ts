import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listJob } from '../../src/scan/list-job.js';
import { runScan } from '../../src/scan/run-scan.js';
import { fixture } from '../helpers/cli.js';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-parallel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// a table with every kind of line: the captures' lines (fast and slow path), bad lines, an
// overlong line, CRLF, and a last line cut off (no newline at the end)
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
  return { result: r.result?.sorted() ?? [], report: r.report, out, workers: r.workers };
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
  // the bad line, the overlong one and the cut-off last one, numbered from the table's first line
  assert.deepStrictEqual(
    { skipped: one.report.skipped, first: one.report.firstSkippedLine, cutOff: one.report.cutOff },
    { skipped: 3, first: 417, cutOff: true },
  );
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
  assert.equal(r.result?.sorted().length, 1);
});

// a source of unknown size (a pipe: here a stream on stdin) is parsed and written in this thread
// as it arrives, then handed over to workers once `parallelMin` bytes have come: every job must
// give what one thread gives, whatever line the hand-over cuts, counts and line numbers included
test('a pipe handed over to workers mid-table gives what one thread gives, for every job', async () => {
  const { Readable } = await import('node:stream');
  const { flowsJob } = await import('../../src/scan/flows-job.js');
  const { statsJob } = await import('../../src/scan/stats-job.js');
  const { sortFlows } = await import('../helpers/flows.js');
  const bytes = Buffer.from(text, 'latin1');
  // chunks of odd sizes, so the hand-over point falls inside a line
  const piped = () => {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 7777) chunks.push(bytes.subarray(at, at + 7777));
    return { stdin: true, stdinStream: Readable.from(chunks) };
  };
  const local = ['10.1.0.1', '10.2.0.1', 'fd00:a1::1'];
  for (const parallelMin of [1, 50_000, 300_000]) {
    const control = (workers: number, out: { text: string }) => ({ emit: (t: string) => { out.text += t; }, workers, parallelMin, batchBytes: 8192 });
    const o1 = { text: '' };
    const o2 = { text: '' };
    const nd = (n: number, o: { text: string }) => runScan(piped(), listJob({ filter: {}, mode: 'ndjson', sort: undefined, reverse: false, limit: 0 }), control(n, o));
    const [ndOne, ndTwo] = [await nd(0, o1), await nd(2, o2)];
    assert.equal(ndTwo.workers, 2, `parallelMin ${parallelMin}`);
    assert.equal(o2.text, o1.text);
    assert.deepStrictEqual(ndTwo.report, ndOne.report);
    const top = (n: number) => runScan(piped(), listJob({ filter: {}, mode: 'top', sort: 'bytes', reverse: false, limit: 9 }), control(n, { text: '' }));
    assert.deepStrictEqual((await top(2)).result?.sorted(), (await top(0)).result?.sorted());
    const flows = async (n: number) => sortFlows((await runScan(piped(), flowsJob({ filter: {}, local }), control(n, { text: '' }))).result.values());
    assert.deepStrictEqual(await flows(2), await flows(0));
    const stats = async (n: number) => (await runScan(piped(), statsJob({}), control(n, { text: '' }))).result.finish(20);
    assert.deepStrictEqual(await stats(2), await stats(0));
  }
});

// on two cores a parse-bound job runs in this thread (README, "Performance": the worker did not pay);
// CTFLOW_WORKERS always decides when set
test('workerCount: parse-bound jobs in one thread on two cores, others with one worker; CTFLOW_WORKERS wins', async () => {
  const { workerCount } = await import('../../src/scan/run-scan.js');
  const bound = { parseBound: true };
  const heavy = { parseBound: false };
  assert.deepStrictEqual(
    [workerCount({}, bound, 2), workerCount({}, heavy, 2), workerCount({}, {}, 2), workerCount({}, bound, 4), workerCount({}, heavy, 8), workerCount({}, heavy, 1)],
    [0, 1, 1, 1, 1, 0],
  );
  assert.deepStrictEqual(
    [workerCount({ CTFLOW_WORKERS: '2' }, bound, 2), workerCount({ CTFLOW_WORKERS: '0' }, heavy, 8), workerCount({ CTFLOW_WORKERS: 'x' }, bound, 2), workerCount({ CTFLOW_WORKERS: '99' }, heavy, 2)],
    [2, 0, 0, 16],
  );
});

test('which jobs are parseBound: counting from the scan and a bounded top-k; not NDJSON, not a filter that needs every record', async () => {
  const { flowsJob } = await import('../../src/scan/flows-job.js');
  const { statsJob } = await import('../../src/scan/stats-job.js');
  const tcp = { proto: 6 };
  assert.deepStrictEqual(
    [
      flowsJob({ filter: {}, local: [] }).parseBound, flowsJob({ filter: tcp, local: [] }).parseBound,
      statsJob().parseBound, statsJob({ filter: {} }).parseBound, statsJob({ filter: tcp }).parseBound,
      listJob({ filter: {}, mode: 'top', sort: 'bytes', reverse: false, limit: 25 }).parseBound,
      listJob({ filter: tcp, mode: 'top', sort: 'bytes', reverse: false, limit: 25 }).parseBound,
      listJob({ filter: {}, mode: 'ndjson', sort: undefined, reverse: false, limit: 0 }).parseBound,
    ],
    [true, false, true, true, false, true, true, false],
  );
});
