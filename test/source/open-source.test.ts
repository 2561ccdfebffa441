import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSource } from '../../src/source/open-source.js';

/** The descriptors of this process that point at `path`. */
function openOn(path: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target === path ? [target] : [];
    } catch {
      return [];
    }
  });
}

test('a reader that stops after the first chunk closes the file (no fd left for a GC to close)', async (t) => {
  if (!existsSync('/proc/self/fd')) return t.skip('needs /proc/self/fd');
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-open-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'table.txt');
  writeFileSync(file, 'garbage line\n');
  const it = openSource({ file }, true)[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  assert.deepStrictEqual(openOn(file), [file]);
  await it.return?.();
  assert.deepStrictEqual(openOn(file), []);
});
