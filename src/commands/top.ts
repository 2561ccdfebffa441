// `ctflow top`: re-reads the table every --interval seconds and shows the top flows (or
// connections) with bytes/s and packets/s since the previous reading, totals and table fill.
// On a terminal it is a full-screen view with keys; on a pipe, or with --once/--iterations, it
// prints plain frames or NDJSON rows, so rates are scriptable. Its flows are the flows of
// `ctflow flows` (same classification, --local, keys and arrows), always numeric: a live view
// must not wait on a resolver. (Past 250 lines: the plain frames and the full-screen loop share
// one reading function and one view state, so they stay in one file.)

import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { ConnCounters } from '../aggregate/conn-counters.js';
import {
  ReadingBuilder, TOP_SORT_KEYS, nextSortKey, type TopMode, type TopReading, type TopSnapshot, type TopSortKey,
} from '../aggregate/top-rows.js';
import { CtflowError } from '../errors.js';
import { compileAddress, type AddressMatcher } from '../filter/address-match.js';
import { compileFilter } from '../filter/compile-filter.js';
import { parseCount, parseSeconds } from '../filter/option-values.js';
import { discoverLocalAddresses, parseLocalOption } from '../host/local-addresses.js';
import { readTableSize, type TableSize } from '../kernel/table-size.js';
import type { Conn } from '../model.js';
import { createOutput } from '../output.js';
import { colorEnabled, createPalette, type Palette } from '../render/palette.js';
import { addTableOptions, tableLayoutFrom, type TableFlags } from './table-options.js';
import { renderTopFrame, topFrameJson, type TopView } from '../render/top-frame.js';
import {
  addFilterOptions, addSourceOptions, collect, filterFrom, sourceFrom, type FilterFlags, type SourceFlags, NO_COLOR,
} from './options.js';
import { scanJob } from '../scan/read.js';
import { topJob } from '../scan/top-job.js';
import { readOnlyOnce } from '../source/open-source.js';
import { openTerminal } from './top-terminal.js';
import { addExamples, inGroup, OUTPUT, SELECTION, SOURCE } from './help-groups.js';
import { addOrderOptions, limitFrom, parseSort } from './order-options.js';
import { addFlowSelectionOptions, compileSelection, flowSelectionFrom, type FlowSelectionFlags } from './flow-options.js';
import { addZoneFilterOptions, addZonesOption, withZoneFilter, zonesFrom, ZONES_FOR_FILTERS_HELP, type ZoneFlags } from './zone-options.js';

interface TopFlags extends SourceFlags, FilterFlags, FlowSelectionFlags, ZoneFlags, TableFlags {
  local?: string[];
  numeric?: boolean;
  interval?: string;
  connections?: boolean;
  sort?: string;
  reverse?: boolean;
  limit?: string;
  once?: boolean;
  iterations?: string;
  ndjson?: boolean;
  color?: boolean;
}

/** Everything the view can change while it runs. */
interface State {
  mode: TopMode;
  sort: TopSortKey;
  reverse: boolean;
  paused: boolean;
  addressFilter: string | undefined;
  addressMatch: AddressMatcher | undefined;
}


export function topCommand(): Command {
  const cmd = new Command('top')
    .description('a live view of the top flows (or connections) with bytes/s and packets/s, refreshed every --interval')
    .option('--interval <seconds>', 'seconds between readings (default 2)')
    .option('--once', 'print one plain frame and exit (no rates: they need two readings)')
    .option('--iterations <n>', 'print N frames, --interval apart, and exit');
  addSourceOptions(cmd);
  inGroup(cmd, SOURCE, (c) => c
    .option('--local <addr>', "this host's address(es), repeatable or comma separated; replaces discovery (as in flows)", collect));
  addFilterOptions(cmd);
  addZonesOption(cmd, ZONES_FOR_FILTERS_HELP);
  addZoneFilterOptions(cmd);
  // as in flows; with --connections they keep the connections of the selected flows
  inGroup(cmd, SELECTION, (c) => c.option('--connections', 'one row per connection instead of per flow'));
  addFlowSelectionOptions(cmd);
  addOrderOptions(cmd, {
    keys: TOP_SORT_KEYS, sortDefault: 'rate = bytes/s', rows: 'rows per frame', limitDefault: 'what fits the terminal; 20 in plain frames; all in NDJSON',
  });
  inGroup(cmd, OUTPUT, (c) => c
    .option('-n, --numeric', 'numeric addresses (as flows -n; top never resolves names, so this is always so)')
    .option('--ndjson', 'one JSON object per row and one total per frame, with rates (for scripts)')
    .option(...NO_COLOR));
  addTableOptions(cmd);
  addExamples(cmd, [
    { what: 'the full-screen view (keys: q quit, s sort, r reverse, f flows/connections, / filter)', args: 'top' },
    { what: 'the busiest connections to port 443, two frames a second apart, on a pipe', args: 'top --connections --dport 443 --interval 1 --iterations 2' },
    { what: 'rates for a script: 5 readings as NDJSON', args: 'top --ndjson --iterations 5' },
  ]);
  return cmd.action(async (flags: TopFlags) => runTop(flags));
}

async function runTop(flags: TopFlags): Promise<void> {
  const source = sourceFrom(flags);
  // the zones are read once, before the first reading (a bad file is a usage error)
  const filter = withZoneFilter(compileFilter(filterFrom(flags)), flags, await zonesFrom(flags));
  const selection = flowSelectionFrom(flags);
  const interval = flags.interval === undefined ? 2 : parseSeconds(flags.interval, '--interval');
  const limit = limitFrom(flags.limit);
  const asked = flags.iterations === undefined ? undefined : parseCount(flags.iterations, '--iterations', 1);
  let iterations = flags.once ? 1 : asked;
  // stdin, a pipe or a FIFO can be read once only: one frame
  if (readOnlyOnce(source)) iterations = 1;
  const live = source.file === undefined && !source.stdin;
  // discovered again at every reading: a long-running view outlives DHCP leases and new interfaces
  const given = flags.local === undefined ? undefined : parseLocalOption(flags.local);
  const localAddresses = (): ReadonlySet<string> => given ?? discoverLocalAddresses();
  const sort = flags.sort === undefined ? { key: 'rate' as const, reverse: false } : parseSort(flags.sort, TOP_SORT_KEYS);
  const state: State = {
    mode: flags.connections ? 'connections' : 'flows',
    sort: sort.key,
    reverse: Boolean(flags.reverse) !== sort.reverse,
    paused: false,
    addressFilter: undefined,
    addressMatch: undefined,
  };

  let previous: TopSnapshot | undefined;
  /** the counters of the reading before the previous one: their room is reused for the next */
  let spare: ConnCounters | undefined;
  /** one reading of the table, rates against the previous one */
  const read = async (): Promise<{ reading: TopReading; time: number; size: TableSize | undefined }> => {
    const time = Date.now();
    // listening sockets, like the local addresses, are read again at every reading
    const keep = await compileSelection(selection, flags);
    const counters = spare ?? new ConnCounters(previous?.counters.size);
    const builder = new ReadingBuilder(state.mode, performance.now() / 1000, localAddresses(), keep, counters);
    const match = state.addressMatch;
    const shown = match === undefined
      ? undefined
      : (c: Conn): boolean => match(c.original.src) || match(c.original.dst) || match(c.reply.src) || match(c.reply.dst);
    // in this thread, a scanned line summed without its record (scan/top-job.ts)
    await scanJob(source, topJob({ filter, builder, shown }), undefined);
    const reading = builder.finish(previous);
    spare = previous?.counters;
    previous = reading.snapshot;
    return { reading, time, size: live ? await readTableSize() : undefined };
  };
  /** the view of a reading with `rows` rows at most (only those rows are made) */
  const view = (r: Awaited<ReturnType<typeof read>>, rows: number): TopView => ({
    time: r.time, interval, mode: state.mode, sort: state.sort, reverse: state.reverse, paused: state.paused,
    addressFilter: state.addressFilter, rows: r.reading.sorted(state.sort, state.reverse, rows), count: r.reading.count,
    total: r.reading.total, tableSize: r.size,
  });

  const interactive = iterations === undefined && !flags.ndjson && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY) && !source.stdin;
  const palette = createPalette(!flags.ndjson && colorEnabled(flags, Boolean(process.stdout.isTTY), process.env));
  if (interactive) return runScreen(state, read, view, palette, interval, limit, Boolean(flags.exact));
  return runFrames(flags, read, view, palette, interval, iterations ?? Infinity, limit);
}

type Read = () => Promise<{ reading: TopReading; time: number; size: TableSize | undefined }>;
type View = (r: Awaited<ReturnType<Read>>, rows: number) => TopView;

/** Sleeps, or wakes early when `wake` is called; returns a function to cancel. */
function pause(ms: number): { done: Promise<void>; wake: () => void } {
  let wake!: () => void;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/** Plain frames (a blank line apart) or NDJSON, for pipes, --once and --iterations. */
async function runFrames(
  flags: TopFlags, read: Read, view: View, palette: Palette, interval: number, iterations: number, limit: number | undefined,
): Promise<void> {
  const out = createOutput();
  let stopped = false;
  let sleeping: ReturnType<typeof pause> | undefined;
  const onSignal = (): void => {
    stopped = true;
    sleeping?.wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (let frame = 1; frame <= iterations && !stopped && !out.closed; frame++) {
      const started = performance.now();
      const rows = limit ?? (flags.ndjson ? Infinity : 20);
      const v = view(await read(), rows);
      if (flags.ndjson) out.write(topFrameJson(frame, v, rows));
      else out.write(`${frame > 1 ? '\n' : ''}${renderTopFrame(v, palette, tableLayoutFrom(flags).width ?? Infinity, rows, Boolean(flags.exact)).join('\n')}\n`);
      await out.flush();
      if (frame < iterations) {
        sleeping = pause(interval * 1000 - (performance.now() - started));
        await sleeping.done;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await out.end();
  }
}

/** The full-screen view: refresh every interval unless paused, keys change the view at once. */
async function runScreen(state: State, read: Read, view: View, palette: Palette, interval: number, limit: number | undefined, exact: boolean): Promise<void> {
  const term = openTerminal();
  let quit = false;
  let reread = true;
  let prompt: string | undefined;
  let message: string | undefined;
  let sleeping: ReturnType<typeof pause> | undefined;
  const wake = (): void => sleeping?.wake();
  const onSignal = (): void => {
    quit = true;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  term.onKey((key) => {
    message = undefined;
    if (prompt !== undefined) {
      if (key === '\r' || key === '\n') {
        const text = prompt.trim();
        prompt = undefined;
        try {
          state.addressMatch = text === '' ? undefined : compileAddress(text, 'filter');
          state.addressFilter = text === '' ? undefined : text;
          reread = true;
        } catch (err) {
          message = err instanceof CtflowError ? err.message.replace(/^ctflow: /, '') : String(err);
        }
      } else if (key === '\x1b') prompt = undefined;
      else if (key === '\x7f' || key === '\b') prompt = prompt.slice(0, -1);
      else if (key === '\x03') quit = true;
      else if (key >= ' ') prompt += key;
    } else if (key === 'q' || key === 'Q' || key === '\x03') quit = true;
    else if (key === 's') state.sort = nextSortKey(state.sort);
    else if (key === 'r') state.reverse = !state.reverse;
    else if (key === 'p') state.paused = !state.paused;
    else if (key === 'f') {
      state.mode = state.mode === 'flows' ? 'connections' : 'flows';
      reread = true;
    } else if (key === '/') prompt = '';
    wake();
  });
  term.onResize(wake);

  let last: Awaited<ReturnType<Read>> | undefined;
  let nextRead = 0;
  try {
    while (!quit) {
      if (reread || (!state.paused && performance.now() >= nextRead)) {
        nextRead = performance.now() + interval * 1000;
        reread = false;
        last = await read();
        if (quit) break;
      }
      const rows = Math.min(limit ?? term.rows - 6, term.rows - 6);
      const lines = renderTopFrame(view(last!, rows), palette, term.columns, rows, exact);
      while (lines.length < term.rows - 1) lines.push('');
      lines.length = term.rows - 1;
      const footer = prompt !== undefined
        ? `filter by address (ADDR or CIDR, empty clears, Esc cancels): ${prompt}`
        : message ?? 'q quit  s sort  r reverse  f flows/connections  p pause  / filter by address';
      lines.push(prompt !== undefined || message !== undefined ? footer : palette.dim(footer));
      term.draw(lines.map((l) => (l.length > term.columns && !palette.enabled ? l.slice(0, term.columns) : l)));
      sleeping = pause(state.paused ? 2 ** 31 - 1 : nextRead - performance.now());
      await sleeping.done;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    term.restore();
  }
}
