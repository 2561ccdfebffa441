import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporaryPathFor, writeFileAtomic } from '../src/atomic-file.js';

test('replaces the file whole and leaves no temporary file behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-atomic-'));
  try {
    const target = join(dir, 'ctflow.prom');
    writeFileSync(target, 'old\n');
    await writeFileAtomic(target, 'new\n');
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
    assert.deepStrictEqual(readdirSync(dir), ['ctflow.prom']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the temporary file sits in the same directory and does not end in .prom', () => {
  const tmp = temporaryPathFor('/var/lib/node-exporter/ctflow.prom');
  assert.match(tmp, /^\/var\/lib\/node-exporter\/\.ctflow\.prom\.\d+\.[0-9a-f]{8}\.tmp$/);
});

test('a directory that does not exist is one sentence', async () => {
  await assert.rejects(writeFileAtomic('/nonexistent-dir/x.prom', 'x'), {
    message: 'ctflow: /nonexistent-dir/x.prom: must be a writable file in an existing directory, got ENOENT',
  });
});
