// Reads the kernel's per-CPU conntrack counters from /proc/net/stat/nf_conntrack (readable by any
// user, per network namespace). Parsing lives in parse/kernel-stats.ts; this file only fetches.

import { CtflowError } from '../errors.js';
import { readOptionalFile } from './read-optional-file.js';
import { parseProcStat, type KernelCounters } from '../parse/kernel-stats.js';

export const STAT_PATH = '/proc/net/stat/nf_conntrack';

/** Undefined when the file does not exist (nf_conntrack not loaded). */
export async function readKernelCounters(path: string = STAT_PATH): Promise<KernelCounters | undefined> {
  const text = await readOptionalFile(path);
  if (text === undefined) return undefined;
  const counters = parseProcStat(text);
  if (counters === undefined) {
    const first = text.split('\n')[0] ?? '';
    throw new CtflowError(`ctflow: ${path}: must be a header line and one hex row per CPU, got ${JSON.stringify(first.slice(0, 60))}`, {
      code: 'EFORMAT',
    });
  }
  return counters;
}
