// Reading a kernel file that may legitimately be absent (nf_conntrack not loaded, a namespace
// without it): absence is "unknown", any other failure is one sentence.

import { readFile } from 'node:fs/promises';
import { CtflowError } from '../errors.js';

export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CtflowError(`ctflow: ${path}: cannot be read, got ${code ?? (err as Error).message}`, { code: 'EREAD' });
  }
}
