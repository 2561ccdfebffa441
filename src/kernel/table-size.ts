// How full the kernel's table is: nf_conntrack_count of this network namespace against
// nf_conntrack_max. Undefined when the files cannot be read (no conntrack module, no /proc).

import { readFile } from 'node:fs/promises';

export interface TableSize {
  count: number;
  max: number;
}

const SYS = '/proc/sys/net/netfilter';

export async function readTableSize(dir = SYS): Promise<TableSize | undefined> {
  try {
    const [count, max] = await Promise.all([
      readFile(`${dir}/nf_conntrack_count`, 'utf8'),
      readFile(`${dir}/nf_conntrack_max`, 'utf8'),
    ]);
    const c = Number(count.trim());
    const m = Number(max.trim());
    return Number.isFinite(c) && Number.isFinite(m) ? { count: c, max: m } : undefined;
  } catch {
    return undefined;
  }
}
