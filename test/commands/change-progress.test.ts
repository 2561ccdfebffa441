// The progress line of a delete/update on a terminal: its text, how often it is redrawn, and that
// it is erased; and that executePlan tells it each conntrack run and the count so far.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { changeProgressLine, changeProgressText } from '../../src/commands/change-progress.js';
import { executePlan, planDelete, type ChangeProgress } from '../../src/kernel/change-table.js';
import { fixture } from '../helpers/cli.js';
import { fakeConntrack } from '../helpers/fake-conntrack.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-change-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('changeProgressText: the run of how many, and what was changed so far', () => {
  assert.deepStrictEqual([
    changeProgressText('delete', { run: 2, runs: 4, changed: 2311 }),
    changeProgressText('update', { run: 1, runs: 1, changed: 0 }),
  ], [
    'ctflow: delete: conntrack run 2 of 4, 2311 deleted so far',
    'ctflow: update: conntrack run 1 of 1, 0 updated so far',
  ]);
});

test('changeProgressLine: drawn at once, then at most every 100 ms, erased when done (and only if drawn)', () => {
  const written: string[] = [];
  const stream = { write: (s: string) => written.push(s) } as unknown as NodeJS.WritableStream;
  let now = 1000;
  const line = changeProgressLine(stream, 'delete', () => now);
  line.update({ run: 1, runs: 2, changed: 0 });
  now += 50;
  line.update({ run: 1, runs: 2, changed: 10 });
  now += 60;
  line.update({ run: 2, runs: 2, changed: 20 });
  line.done();
  line.done();
  assert.deepStrictEqual(written, [
    '\rctflow: delete: conntrack run 1 of 2, 0 deleted so far\x1b[K',
    '\rctflow: delete: conntrack run 2 of 2, 20 deleted so far\x1b[K',
    '\r\x1b[K',
  ]);
  const silent: string[] = [];
  changeProgressLine({ write: (s: string) => silent.push(s) } as unknown as NodeJS.WritableStream, 'update').done();
  assert.deepStrictEqual(silent, []);
});

test('executePlan tells its progress before each conntrack run, with the count of the runs before', async () => {
  const ct = fakeConntrack(dir, { count: 2 });
  const source = { procPath: fixture('inserted/proc_nf_conntrack.txt') };
  const plan = await planDelete({ kind: 'filter', filter: { port: 5060 } }, { source, conntrackBin: ct.bin });
  const told: ChangeProgress[] = [];
  const result = await executePlan(plan, { source, onProgress: (p) => told.push(p) });
  assert.deepStrictEqual([result.count, told, ct.runs()], [6, [
    { run: 1, runs: 3, changed: 0 },
    { run: 2, runs: 3, changed: 2 },
    { run: 3, runs: 3, changed: 4 },
  ], ['-D -p udp --dport 5060', '-D -p udplite --sport 5060', '-D -p tcp --dport 5060']]);
});
