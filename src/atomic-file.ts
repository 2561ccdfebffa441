// Writes a file so that a reader sees the old content or the new, never half of it: write a
// temporary file in the same directory (rename is atomic only within one filesystem), flush it to
// disk, then rename it over the target. node_exporter's textfile collector reads *.prom files on
// every scrape and requires exactly this; the temporary name does not end in .prom so the
// collector never picks it up.

import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CtflowError } from './errors.js';

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CtflowError(`ctflow: ${path}: must be a writable file in an existing directory, got ${code}`, { code: 'EWRITE' });
  }
}
