// How full the kernel's table is: nf_conntrack_count (entries now, per network namespace) and
// nf_conntrack_max (the limit; global, read-only inside a namespace). Paths are parameters so
// tests can point them at captured files. A missing file (module not loaded, not Linux) is not an
// error here: the figure is simply unknown and the report leaves it out.

import { readFile } from 'node:fs/promises';
import { CtflowError } from '../errors.js';

export const COUNT_PATH = '/proc/sys/net/netfilter/nf_conntrack_count';
export const MAX_PATH = '/proc/sys/net/netfilter/nf_conntrack_max';

export interface TableSizePaths {
  countPath?: string;
  maxPath?: string;
}

export interface TableSize {
  count: number | undefined;
  max: number | undefined;
}

/** One decimal number from a /proc/sys file; undefined when the file does not exist. */
export async function readSysctlNumber(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CtflowError(`ctflow: ${path}: cannot be read, got ${code ?? (err as Error).message}`, { code: 'EREAD' });
  }
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) {
    throw new CtflowError(`ctflow: ${path}: must hold one decimal number, got ${JSON.stringify(trimmed.slice(0, 40))}`, {
      code: 'EFORMAT',
    });
  }
  return Number(trimmed);
}

export async function readTableSize(paths: TableSizePaths = {}): Promise<TableSize> {
  const [count, max] = await Promise.all([
    readSysctlNumber(paths.countPath ?? COUNT_PATH),
    readSysctlNumber(paths.maxPath ?? MAX_PATH),
  ]);
  return { count, max };
}
