// How full the kernel's table is: nf_conntrack_count (entries now, per network namespace) and
// nf_conntrack_max (the limit; global, read-only inside a namespace). Two readers over the same
// files: `readTableFigures` (stats) knows each figure separately and says why a file it found is
// unreadable; `readTableSize` (top) wants both or nothing and never fails. Paths are parameters so
// tests can point them at captured files. A missing file (module not loaded, not Linux) is not an
// error: the figure is simply unknown and the report leaves it out.

import { CtflowError } from '../errors.js';
import { readOptionalFile } from './read-optional-file.js';

const SYS = '/proc/sys/net/netfilter';
export const COUNT_PATH = `${SYS}/nf_conntrack_count`;
export const MAX_PATH = `${SYS}/nf_conntrack_max`;

export interface TableSize {
  count: number;
  max: number;
}

export interface TableSizePaths {
  countPath?: string;
  maxPath?: string;
}

export interface TableFigures {
  count: number | undefined;
  max: number | undefined;
}

/** One decimal number from a /proc/sys file; undefined when the file does not exist. */
export async function readSysctlNumber(path: string): Promise<number | undefined> {
  const text = await readOptionalFile(path);
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) {
    throw new CtflowError(`ctflow: ${path}: must hold one decimal number, got ${JSON.stringify(trimmed.slice(0, 40))}`, {
      code: 'EFORMAT',
    });
  }
  return Number(trimmed);
}

export async function readTableFigures(paths: TableSizePaths = {}): Promise<TableFigures> {
  const [count, max] = await Promise.all([
    readSysctlNumber(paths.countPath ?? COUNT_PATH),
    readSysctlNumber(paths.maxPath ?? MAX_PATH),
  ]);
  return { count, max };
}

/** Both figures from the files in `dir`, or undefined when either cannot be read. */
export async function readTableSize(dir = SYS): Promise<TableSize | undefined> {
  try {
    const { count, max } = await readTableFigures({ countPath: `${dir}/nf_conntrack_count`, maxPath: `${dir}/nf_conntrack_max` });
    return count !== undefined && max !== undefined ? { count, max } : undefined;
  } catch {
    return undefined;
  }
}
