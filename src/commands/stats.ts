// `ctflow stats`: the table's health. One pass over any source gives the breakdowns and top
// talkers; the live table adds the kernel's count/max and per-CPU counters; a `--file` holding
// /proc/net/stat/nf_conntrack or `conntrack -S` text gives just the counters. Over time:
// `--interval/--count` samples the table, `--netdata` reads the agent's series. Outputs: report,
// --json, --prom (stdout) and --prom-file (atomic, for node_exporter's textfile collector).
// list's filters narrow the table-derived figures (and the samples of --interval) to matching
// entries; the kernel's count/max/fill and counters stay whole-table, and the output says so.

import { Command } from 'commander';
import { sampleTable, stateKey, type Sample } from '../aggregate/sampler.js';
import { buildStatsReport, type StatsReport } from '../aggregate/stats-report.js';
import { anyRounded, ROUNDED_SUMS } from '../aggregate/sum-limit.js';
import { DEFAULT_TOP } from '../aggregate/table-stats.js';
import { statsJob } from '../scan/stats-job.js';
import { writeFileAtomic } from '../atomic-file.js';
import { CtflowError, usageError } from '../errors.js';
import { always, compileFilter, type ConnPredicate, type FilterOptions } from '../filter/compile-filter.js';
import { parseCount, parseSeconds } from '../filter/option-values.js';
import { readKernelCounters } from '../kernel/kernel-counters.js';
import { DEFAULT_SINCE, fetchNetdataSeries } from '../kernel/netdata.js';
import { readTableFigures } from '../kernel/table-size.js';
import { createOutput, type Output } from '../output.js';
import { isKernelStatsText, parseKernelStats, type KernelCounters } from '../parse/kernel-stats.js';
import { stdoutPalette } from '../render/palette.js';
import { renderPrometheus } from '../render/prometheus.js';
import { renderSeries, sampleLine } from '../render/series-view.js';
import { addTableOptions, tableLayoutFrom, type TableFlags } from './table-options.js';
import { renderStatsReport } from '../render/stats-report.js';
import { describeSource, isLiveTable, readOnlyOnce } from '../source/open-source.js';
import { peekFirstLine } from '../source/peek-source.js';
import { readLines } from '../source/read-lines.js';
import { type ReadOptions } from '../parse/read-table.js';
import {
  addFilterOptions, addSourceOptions, describeFilter, filterFrom, sourceFrom, type FilterFlags, type SourceFlags, NO_COLOR,
} from './options.js';
import { scanJob, scanTable } from '../scan/read.js';
import { addExamples, inGroup, OUTPUT, SELECTION } from './help-groups.js';

interface StatsFlags extends SourceFlags, FilterFlags, TableFlags {
  top?: string;
  perCpu?: boolean;
  interval?: string;
  count?: string;
  netdata?: string;
  since?: string;
  prom?: boolean;
  promFile?: string;
  json?: boolean;
  color?: boolean;
}

export function statsCommand(): Command {
  const cmd = new Command('stats')
    .summary('count, max and fill; entries by protocol, state, NAT, zone, mark; top talkers; kernel counters')
    .description('count, max and fill; entries by family, protocol, state, status, NAT, zone, mark; top talkers; kernel counters.\n' +
      "list's filters narrow the breakdowns and talkers to matching entries; count, max, fill and the kernel counters stay whole-table")
    .option('--interval <seconds>', 'sample the count every SECONDS (fractions allowed) and print a line per sample')
    .option('--count <n>', 'stop after N samples (with --interval; default: until Ctrl-C)')
    .option('--netdata <url>', 'read the count over time from a netdata agent (e.g. http://127.0.0.1:19999)')
    .option('--since <seconds>', `with --netdata: how far back (default ${DEFAULT_SINCE})`);
  addSourceOptions(cmd);
  addFilterOptions(cmd);
  inGroup(cmd, SELECTION, (c) => c.option('--top <n>', `how many top talkers to show (default ${DEFAULT_TOP})`));
  inGroup(cmd, OUTPUT, (c) => c
    .option('--per-cpu', 'show the kernel counters per CPU, not only summed')
    .option('--prom', 'print the figures in the Prometheus text exposition format')
    .option('--prom-file <path>', 'write the Prometheus text atomically to PATH (node_exporter textfile collector)')
    .option('--json', 'one JSON object (with --interval/--netdata: {"labels": ["time","connections"], "data": [[epoch, n], …]})')
    .option(...NO_COLOR));
  addTableOptions(cmd);
  addExamples(cmd, [
    { what: 'the table\'s health: count, max, fill, breakdowns, top talkers, kernel counters', args: 'stats' },
    { what: 'how many TCP entries, sampled every second for 10 seconds', args: 'stats -p tcp --interval 1 --count 10' },
    { what: 'figures for node_exporter\'s textfile collector (from cron)', args: 'stats --prom-file /var/lib/node_exporter/ctflow.prom' },
  ]);
  return cmd.action(async (flags: StatsFlags) => runStats(flags));
}

async function runStats(flags: StatsFlags): Promise<void> {
  const top = flags.top === undefined ? DEFAULT_TOP : parseCount(flags.top, '--top');
  const count = flags.count === undefined ? undefined : parseCount(flags.count, '--count', 1);
  const interval = flags.interval === undefined ? undefined : parseSeconds(flags.interval, '--interval');
  const since = flags.since === undefined ? DEFAULT_SINCE : parseSeconds(flags.since, '--since');
  if (flags.count !== undefined && interval === undefined) throw usageError('ctflow: --count: needs --interval, got --count alone');
  if (flags.since !== undefined && flags.netdata === undefined) throw usageError('ctflow: --since: needs --netdata, got --since alone');
  if (flags.prom && flags.json) throw usageError('ctflow: --prom and --json: choose one output, got both');
  const overTime = interval !== undefined || flags.netdata !== undefined;
  if (overTime && (flags.prom || flags.promFile !== undefined)) {
    throw usageError('ctflow: --prom/--prom-file: a one-shot figure, got them with --interval or --netdata');
  }
  if (interval !== undefined && flags.netdata !== undefined) throw usageError('ctflow: --interval and --netdata: choose one, got both');
  const filterOptions = filterFrom(flags);
  const filterText = describeFilter(flags);
  const filter = filterText === undefined ? undefined : { options: filterOptions, text: filterText };
  if (filter !== undefined) {
    // a metric name must mean the same series on every scrape: filtered counts under the
    // whole-table names (ctflow_entries_by_state, …) would read as the table's own
    if (flags.prom || flags.promFile !== undefined) {
      throw usageError(`ctflow: --prom/--prom-file: export whole-table figures only, got the filter ${filter.text} (use --json for filtered figures)`);
    }
    if (flags.netdata !== undefined) throw usageError(`ctflow: --netdata: reads the agent's whole-table count, got the filter ${filter.text}`);
  }
  const out = createOutput();

  if (flags.netdata !== undefined) {
    const series = await fetchNetdataSeries(flags.netdata, since);
    if (flags.json) out.write(JSON.stringify(series) + '\n');
    else {
      const tty = Boolean(process.stdout.isTTY);
      const width = Math.max(20, Math.min(120, (process.stdout.columns ?? 80) - 10));
      out.write(renderSeries(series, flags.netdata, stdoutPalette(flags), tty ? { width, height: 8 } : undefined));
    }
    await out.end();
    return;
  }

  // -f is a filter here, never `conntrack -L -f`: the entries read stay the whole table
  const source = sourceFrom({ ...flags, family: undefined });
  if (interval !== undefined) {
    if (readOnlyOnce(source)) throw usageError(`ctflow: --interval: needs a table it can read again, got ${describeSource(source)}`);
    await runSampling(source, interval, count, flags, out, filter);
    await out.end();
    return;
  }

  const report = await collectReport(source, top, Boolean(flags.perCpu), out, filter);
  if (flags.promFile !== undefined) {
    await writeFileAtomic(flags.promFile, renderPrometheus(report, { now: Math.floor(Date.now() / 1000) }));
  }
  if (flags.prom) out.write(renderPrometheus(report));
  // unknown figures print as null so every key is always there for scripts
  else if (flags.json) out.write(JSON.stringify(report, (_k, v: unknown) => (v === undefined ? null : v), 2) + '\n');
  else if (flags.promFile === undefined) out.write(renderStatsReport(report, stdoutPalette(flags), tableLayoutFrom(flags)));
  await out.end();
}

async function readStatsFile(source: ReadOptions): Promise<KernelCounters> {
  let text = '';
  await readLines(source, (line) => {
    if (line !== undefined) text += `${line}\n`;
  });
  const counters = parseKernelStats(text);
  if (counters === undefined) {
    throw new CtflowError(`ctflow: ${describeSource(source)}: must be /proc/net/stat/nf_conntrack or conntrack -S text throughout, got a line that is neither`, {
      code: 'EFORMAT',
    });
  }
  return counters;
}

/** The filter the flags give, checked now; undefined without one. */
export interface StatsFilter {
  options: FilterOptions;
  /** as the user gave it, for the output (describeFilter) */
  text: string;
}

/** True when the source is this host's own table (so the kernel's figures describe it). */
export async function collectReport(
  source: ReadOptions, top: number, perCpu: boolean, out: Output, filter?: StatsFilter,
): Promise<StatsReport> {
  if (!isLiveTable(source)) {
    // a saved file or stdin may hold kernel counters instead of a table: its first line says which,
    // read from the one stream (a pipe cannot be read again, nor at an offset)
    const peeked = await peekFirstLine(source);
    source = peeked.source;
    if (peeked.firstLine !== undefined && isKernelStatsText(peeked.firstLine)) {
      if (filter !== undefined) {
        throw usageError(`ctflow: ${describeSource(source)}: holds kernel counters, which have no entries to filter, got the filter ${filter.text}`);
      }
      return buildStatsReport({ table: undefined, counters: await readStatsFile(source), perCpu });
    }
  }
  // counted per part of the table, on every core when the table is big (scan/stats-job.ts)
  const run = await scanJob(source, statsJob(filter === undefined ? {} : { filter: filter.options }), out);
  const table = run.result.finish(top);
  // (every talker's bytes are part of the table's)
  if (anyRounded([table.packets, table.bytes])) process.stderr.write(`${ROUNDED_SUMS}\n`);
  if (!isLiveTable(source)) return buildStatsReport({ table, perCpu, filter: filter?.text });
  const [size, counters] = await Promise.all([readTableFigures(), readKernelCounters()]);
  return buildStatsReport({ table, count: size.count, max: size.max, counters, perCpu, filter: filter?.text });
}

async function runSampling(
  source: ReadOptions, interval: number, count: number | undefined, flags: StatsFlags, out: Output, filter: StatsFilter | undefined,
): Promise<void> {
  const palette = stdoutPalette(flags);
  const matches: ConnPredicate = filter === undefined ? always : compileFilter(filter.options);
  // each sample counts the matching entries only: say so once, above the lines
  if (filter !== undefined && !flags.json) out.write(`${palette.dim(`counting entries that match ${filter.text}`)}\n`);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // Ctrl-C, or a service manager's stop: either ends the sampling and prints what was taken
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    // a signal during a slow read must not wait out the next interval ('abort' fires only once)
    if (stop.signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    stop.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
  const history: number[] = [];
  let samples: Sample[];
  try {
    samples = await sampleTable(async () => {
      let connections = 0;
      const states: Record<string, number> = {};
      await scanTable(source, matches, (c) => {
        connections++;
        const key = stateKey(c.protocol, c.state);
        states[key] = (states[key] ?? 0) + 1;
      });
      return { connections, states };
    }, { intervalMs: interval * 1000, count, sleep, stopped: () => stop.signal.aborted }, (sample) => {
      history.push(sample.connections);
      if (history.length > 200) history.shift();
      if (!flags.json) {
        out.write(sampleLine(sample, history, palette) + '\n');
        void out.flush();
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (flags.json) {
    const newestFirst = [...samples].reverse();
    out.write(JSON.stringify({
      labels: ['time', 'connections'],
      data: newestFirst.map((s) => [s.time, s.connections]),
      states: newestFirst.map((s) => [s.time, s.states]),
      // only with a filter: the shape stays the NethServer one otherwise
      ...(filter === undefined ? {} : { filter: filter.text }),
    }) + '\n');
  }
}
