import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSysctlNumber, readTableFigures, readTableSize } from '../../src/kernel/table-size.js';
import { CtflowError } from '../../src/errors.js';
import { fixture } from '../helpers/cli.js';

test('reads nf_conntrack_count and _max from the captured files', async () => {
  assert.deepStrictEqual(
    await readTableFigures({ countPath: fixture('nat-router/nf_conntrack_count.txt'), maxPath: fixture('nat-router/nf_conntrack_max.txt') }),
    { count: 34, max: 262144 },
  );
  assert.deepStrictEqual(
    await readTableFigures({ countPath: fixture('proto-zoo/nf_conntrack_count.txt'), maxPath: fixture('proto-zoo/nf_conntrack_max.txt') }),
    { count: 35, max: 262144 },
  );
});

test('a missing file is an unknown figure, not an error', async () => {
  assert.deepStrictEqual(await readTableFigures({ countPath: '/nonexistent/count', maxPath: '/nonexistent/max' }), { count: undefined, max: undefined });
});

test('a file that is not one number is refused in one sentence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-size-'));
  try {
    const bad = join(dir, 'count');
    writeFileSync(bad, 'lots\n');
    await assert.rejects(readSysctlNumber(bad), (err: unknown) => {
      assert.ok(err instanceof CtflowError);
      assert.equal(err.message, `ctflow: ${bad}: must hold one decimal number, got "lots"`);
      return true;
    });
    await assert.rejects(readSysctlNumber(dir), (err: unknown) => err instanceof CtflowError && err.message === `ctflow: ${dir}: cannot be read, got EISDIR`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readTableSize (top) gives both figures of a directory, or undefined when one is missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-size-'));
  try {
    writeFileSync(join(dir, 'nf_conntrack_count'), '34\n');
    assert.equal(await readTableSize(dir), undefined);
    writeFileSync(join(dir, 'nf_conntrack_max'), '262144\n');
    assert.deepStrictEqual(await readTableSize(dir), { count: 34, max: 262144 });
    writeFileSync(join(dir, 'nf_conntrack_max'), 'lots\n');
    assert.equal(await readTableSize(dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
