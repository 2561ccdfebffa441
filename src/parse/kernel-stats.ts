// The kernel's per-CPU conntrack counters, from either of the two texts that carry them:
//
//   /proc/net/stat/nf_conntrack   a header of column names, then one row of hex numbers per CPU:
//     entries  clashres found new invalid ignore delete chainlength insert insert_failed drop …
//     0000001d  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000008 …
//   conntrack -S                  decimal key=value pairs, one line per CPU:
//     cpu=0   \tfound=0 invalid=0 insert=8 insert_failed=0 drop=0 early_drop=0 error=0 …
//
// Column names come from the header, not from a list of ours, so a newer kernel's extra columns
// still read. The proc header keeps a few historical names for counters conntrack-tools prints
// under their current names; we use conntrack-tools' names (ALIASES) so both sources give the same
// keys to JSON and Prometheus. `entries` is not a per-CPU counter: every row repeats the global
// count, so the total takes it once instead of summing it.

export interface CpuCounters {
  cpu: number;
  counters: Record<string, number>;
}

export interface KernelCounters {
  source: 'proc' | 'conntrack';
  /** counter names in the order the source printed them */
  names: string[];
  perCpu: CpuCounters[];
  /** per-CPU counters summed; `entries` (a global figure repeated per row) taken once */
  total: Record<string, number>;
}

const ALIASES: Readonly<Record<string, string>> = {
  clashres: 'clash_resolve',
  chainlength: 'chaintoolong',
  icmp_error: 'error',
};

/** Counters that are the same global value on every row. */
const GLOBAL_COLUMNS: ReadonlySet<string> = new Set(['entries']);

function canonicalName(name: string): string {
  return ALIASES[name] ?? name;
}

function words(line: string): string[] {
  return line.trim().split(/\s+/).filter((w) => w.length > 0);
}

function summed(names: string[], perCpu: CpuCounters[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const name of names) {
    let sum = 0;
    for (const row of perCpu) {
      const v = row.counters[name];
      if (v === undefined) continue;
      if (GLOBAL_COLUMNS.has(name)) {
        sum = Math.max(sum, v);
      } else {
        sum += v;
      }
    }
    total[name] = sum;
  }
  return total;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * /proc/net/stat/nf_conntrack. Rows are numbered in the order printed (the kernel prints one per
 * possible CPU). Undefined when the first line is not a header followed by hex rows.
 */
export function parseProcStat(text: string): KernelCounters | undefined {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (lines.length < 1) return undefined;
  const header = words(lines[0]!);
  // A header of names; a first line of numbers means the header is missing.
  if (header.length === 0 || header.every((w) => HEX.test(w))) return undefined;
  const names = header.map(canonicalName);
  const perCpu: CpuCounters[] = [];
  for (let i = 1; i < lines.length; i++) {
    const values = words(lines[i]!);
    if (values.length !== names.length || !values.every((v) => HEX.test(v))) return undefined;
    const counters: Record<string, number> = {};
    names.forEach((name, j) => {
      counters[name] = parseInt(values[j]!, 16);
    });
    perCpu.push({ cpu: i - 1, counters });
  }
  if (perCpu.length === 0) return undefined;
  return { source: 'proc', names, perCpu, total: summed(names, perCpu) };
}

/**
 * `conntrack -S` (and `conntrack -S expect`, whose lines merge into the same CPUs). Undefined when
 * a non-empty line does not start with `cpu=`.
 */
export function parseConntrackStats(text: string): KernelCounters | undefined {
  const names: string[] = [];
  const byCpu = new Map<number, Record<string, number>>();
  for (const line of text.split('\n')) {
    const fields = words(line);
    if (fields.length === 0) continue;
    const first = fields[0]!;
    if (!first.startsWith('cpu=')) return undefined;
    const cpu = Number(first.slice(4));
    if (!Number.isInteger(cpu) || cpu < 0) return undefined;
    let counters = byCpu.get(cpu);
    if (counters === undefined) {
      counters = {};
      byCpu.set(cpu, counters);
    }
    for (let i = 1; i < fields.length; i++) {
      const field = fields[i]!;
      const eq = field.indexOf('=');
      if (eq <= 0) return undefined;
      const digits = field.slice(eq + 1);
      if (!/^[0-9]+$/.test(digits)) return undefined;
      const value = Number(digits);
      const name = canonicalName(field.slice(0, eq));
      if (!names.includes(name)) names.push(name);
      counters[name] = value;
    }
  }
  if (byCpu.size === 0) return undefined;
  const perCpu = [...byCpu].sort((a, b) => a[0] - b[0]).map(([cpu, counters]) => ({ cpu, counters }));
  return { source: 'conntrack', names, perCpu, total: summed(names, perCpu) };
}

/** Either text, told apart by its first non-empty line (`cpu=` for conntrack -S). */
export function parseKernelStats(text: string): KernelCounters | undefined {
  const first = text.split('\n').find((l) => l.trim().length > 0);
  if (first === undefined) return undefined;
  return first.trimStart().startsWith('cpu=') ? parseConntrackStats(text) : parseProcStat(text);
}

/** True when the text looks like a kernel stats file rather than a conntrack table. */
export function isKernelStatsText(firstLine: string): boolean {
  const t = firstLine.trimStart();
  return t.startsWith('cpu=') || /^entries\s/.test(t);
}
