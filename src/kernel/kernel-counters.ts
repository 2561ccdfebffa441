// Reads the kernel's per-CPU conntrack counters from /proc/net/stat/nf_conntrack (readable by any
// user, per network namespace). Parsing lives in parse/kernel-stats.ts; this file only fetches.

import { readFile } from 'node:fs/promises';
import { CtflowError } from '../errors.js';
import { parseProcStat, type KernelCounters } from '../parse/kernel-stats.js';

export const STAT_PATH = '/proc/net/stat/nf_conntrack';

/** Undefined when the file does not exist (nf_conntrack not loaded). */
export async function readKernelCounters(path: string = STAT_PATH): Promise<KernelCounters | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CtflowError(`ctflow: ${path}: cannot be read, got ${code ?? (err as Error).message}`, { code: 'EREAD' });
  }
  const counters = parseProcStat(text);
  if (counters === undefined) {
    const first = text.split('\n')[0] ?? '';
    throw new CtflowError(`ctflow: ${path}: must be a header line and one hex row per CPU, got ${JSON.stringify(first.slice(0, 60))}`, {
      code: 'EFORMAT',
    });
  }
  return counters;
}
