import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { createProgress, progressText, progressWanted, sourceSize, PROGRESS_MIN_BYTES } from '../../src/parse/read-progress.js';

const BIG = PROGRESS_MIN_BYTES + 1;

test('shows progress only on a terminal, for a big source, and not for machine output to a non-terminal', () => {
  const cases: Array<[Parameters<typeof progressWanted>[0], boolean]> = [
    [{ stderrIsTTY: true, stdoutIsTTY: true, machineOutput: false, total: BIG }, true],
    [{ stderrIsTTY: true, stdoutIsTTY: false, machineOutput: false, total: BIG }, true],
    [{ stderrIsTTY: true, stdoutIsTTY: true, machineOutput: true, total: BIG }, true],
    [{ stderrIsTTY: true, stdoutIsTTY: false, machineOutput: true, total: BIG }, false],
    [{ stderrIsTTY: false, stdoutIsTTY: true, machineOutput: false, total: BIG }, false],
    [{ stderrIsTTY: true, stdoutIsTTY: true, machineOutput: false, total: PROGRESS_MIN_BYTES }, false],
    [{ stderrIsTTY: true, stdoutIsTTY: true, machineOutput: false, total: undefined }, false],
  ];
  for (const [ctx, want] of cases) assert.equal(progressWanted(ctx), want, JSON.stringify(ctx));
});

test('says bytes read of the total and the rate', () => {
  assert.equal(progressText('/tmp/t.txt', 120e6, 230e6, 0.5), 'ctflow: reading /tmp/t.txt: 120 MB of 230 MB (52%), 240 MB/s');
  assert.equal(progressText('t', 0, 230e6, 0), 'ctflow: reading t: 0 MB of 230 MB (0%)');
});

test('redraws at most every 100 ms and erases itself when done', () => {
  let written = '';
  const stream = { write: (s: string) => { written += s; return true; } } as unknown as NodeJS.WriteStream;
  let now = 1000;
  const p = createProgress(stream, 't', 200e6, () => now);
  now = 1100;
  p.update(50e6);
  now = 1150;
  p.update(60e6); // too soon: not drawn
  now = 1200;
  p.update(100e6);
  p.done();
  assert.equal(
    written,
    '\rctflow: reading t: 50 MB of 200 MB (25%), 500 MB/s\x1b[K\rctflow: reading t: 100 MB of 200 MB (50%), 500 MB/s\x1b[K\r\x1b[K',
  );
});

const dir = mkdtempSync(join(tmpdir(), 'ctflow-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('knows the size of a plain file, not of gzip, stdin or a subprocess', () => {
  const plain = join(dir, 'plain.txt');
  const gz = join(dir, 'table.gz');
  writeFileSync(plain, 'x'.repeat(1234));
  writeFileSync(gz, gzipSync('x'.repeat(1234)));
  assert.deepStrictEqual(
    [sourceSize({ file: plain }), sourceSize({ file: gz }), sourceSize({ file: '-' }), sourceSize({ stdin: true }), sourceSize({ exec: true }), sourceSize({ file: join(dir, 'none') })],
    [1234, undefined, undefined, undefined, undefined, undefined],
  );
});
