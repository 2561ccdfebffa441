import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { flowsJob } from '../../src/scan/flows-job.js';
import { runScan } from '../../src/scan/run-scan.js';
import { fixture } from '../helpers/cli.js';
import { sortFlows } from '../helpers/flows.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-flows-job-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const parts = ['local-host/proc_nf_conntrack.txt', 'nat-router/proc_nf_conntrack.txt', 'proto-zoo/conntrack_L.txt'];
const table = join(dir, 'table.txt');
writeFileSync(table, parts.map((p) => readFileSync(fixture(p), 'latin1')).join('').repeat(30), 'latin1');
const local = ['10.3.0.10', 'fd00:a3::10', '127.0.0.1', '::1', '10.0.0.1'];

test('flows summed by several workers are the flows of one aggregator over the whole table', async () => {
  const run = (workers: number) =>
    runScan({ file: table }, flowsJob({ filter: {}, local }), { emit: () => undefined, workers, parallelMin: 1, batchBytes: 1 });
  const one = await run(0);
  const two = await run(2);
  assert.equal(two.workers, 2);
  assert.ok(one.result.values().length > 5);
  assert.deepStrictEqual(sortFlows(two.result.values()), sortFlows(one.result.values()));
  assert.deepStrictEqual(two.report, one.report);
});
