// Delete, update and flush as library calls (the CLI commands and `ctflow api` share them).
//
// Every change is planned first: read the table, match with ctflow's own filter (so --dry-run,
// --max, the confirmation and "nothing matched" all see the same set), then choose the invocation:
// conntrack's own filter as one argv when it says exactly the same thing, else the few conntrack
// filters whose union is the matched set (kernel/filter-cover.ts: each walks the table once),
// otherwise one `conntrack -R -` batch of exact tuples (one table walk per line); an update runs
// one argv per filter and family it matched.
// Planning changes nothing. Executing runs each invocation; when conntrack stops part-way it reads
// the table back and runs again for what is left, or reports exactly what was and was not done.
//
// conntrack's filter acts on the live table as it is when conntrack runs, so a delete uses the
// batch of exactly the matched entries whenever that could differ from what was counted: when
// the table was read from a file or stdin (a saved table: the live one may hold other entries),
// and when --max promised an upper bound (entries that start matching between the read and the
// run would otherwise go too).
//
// Longer than 250 lines: planning, running and recounting a change share the plan's matches.

import { CtflowError } from '../errors.js';
import { compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { isLiveTable } from '../source/open-source.js';
import { readTable, type ReadOptions } from '../parse/read-table.js';
import {
  batchInvocation, deleteInvocation, DEFAULT_CONNTRACK, flushInvocation, formatInvocation, formatMark, markUpdateRepeats,
  updatable, updateFilterProblem, updateInvocation, type Invocation, type MarkMask,
} from './conntrack-invocation.js';
import { compactFilter, conntrackFilterFor } from './conntrack-filter.js';
import { exactFilter, exactPredicate, type ExactConnection } from './exact-connection.js';
import { coverOf, GroupCounts, relaxedFilter, type CoverPart } from './filter-cover.js';
import { entryKey, progressOf, type Progress } from './plan-progress.js';
import { runChange, runFlush, type StoppedRun } from './run-conntrack.js';

export type ChangeRequest =
  | { kind: 'exact'; connection: ExactConnection }
  | { kind: 'filter'; filter: FilterOptions };

export interface ChangeOptions {
  /** where the table is read from (default /proc/net/nf_conntrack) */
  source?: ReadOptions;
  conntrackBin?: string;
  /** refuse when more than this many entries would change */
  max?: number;
  /** told as each conntrack run starts and as a delete run prints what it removed */
  onProgress?: (p: ChangeProgress) => void;
}

/** How far executePlan has got: run `run` of `runs` (1-based), `changed` entries so far. */
export interface ChangeProgress {
  run: number;
  runs: number;
  changed: number;
}

/** One conntrack invocation and the matched entries it is meant to change. */
export interface PlanStep {
  invocation: Invocation;
  entries: Conn[];
}

export interface Plan {
  action: 'delete' | 'update';
  matched: Conn[];
  /** run in order; none when nothing matched and the filter names no family (update) */
  steps: PlanStep[];
  mark?: MarkMask;
  /** a delete by exact-tuple batch: why conntrack walks the table once per entry */
  perEntry?: string;
}

export interface ChangeResult {
  /** entries changed: conntrack's own count, or counted in the table after an interrupted run */
  count: number;
  matched: Conn[];
  /** conntrack stopped part-way and ctflow could not finish */
  unfinished?: Unfinished;
}

export interface Unfinished {
  /** the invocation that stopped, as --dry-run shows it */
  command: string;
  /** what conntrack said */
  said: string;
  /** why ctflow did not run it again ('' when conntrack's failure is not one a second run gets past) */
  why: string;
  /** matches still as they were read (listed for the user) */
  left: Conn[];
  /** update: matches that left the table meanwhile */
  vanished: number;
}

interface Matches {
  matched: Conn[];
  /** the filter without what conntrack cannot say, when it selects exactly `matched` in the table read */
  relaxedExact?: FilterOptions;
  /** the filter without what conntrack cannot say, and what it selected in the table by address */
  relaxed?: { filter: FilterOptions; counts: GroupCounts };
}

async function matching(request: ChangeRequest, source: ReadOptions): Promise<Matches> {
  const test = request.kind === 'exact' ? exactPredicate(request.connection) : compileFilter(request.filter);
  const relaxed = request.kind === 'filter' ? relaxedFilter(request.filter) : undefined;
  const relaxedTest = relaxed === undefined ? undefined : compileFilter(relaxed);
  const counts = new GroupCounts();
  const matched: Conn[] = [];
  let relaxedCount = 0;
  await readTable(source, (c) => {
    if (test(c)) matched.push(c);
    if (relaxedTest?.(c)) {
      relaxedCount++;
      counts.add(c);
    }
  });
  if (relaxed === undefined) return { matched };
  // the relaxed filter selects every match and maybe more: the same count means the same set
  return { matched, relaxed: { filter: relaxed, counts }, ...(relaxedCount === matched.length ? { relaxedExact: relaxed } : {}) };
}

/**
 * conntrack filters whose union is exactly the matched set: ctflow's filter narrowed into those
 * conntrack can say, or its relaxed form when that selected nothing more in the table read.
 */
function coverFor(request: ChangeRequest, m: Matches): CoverPart[] | undefined {
  if (request.kind !== 'filter' || m.matched.length === 0) return undefined;
  return coverOf(request.filter, m.matched) ?? (m.relaxedExact === undefined ? undefined : coverOf(m.relaxedExact, m.matched));
}

export function refuseOverMax(count: number, max: number | undefined, verb: string): void {
  if (max !== undefined && count > max) {
    throw new CtflowError(`ctflow: --max ${max}: ${count} connections match, refusing to ${verb} any (raise --max or narrow the filter)`, {
      code: 'EMAX',
    });
  }
}

/** Read and match; decide what would run. Changes nothing. */
export async function planDelete(request: ChangeRequest, options: ChangeOptions = {}): Promise<Plan> {
  const bin = options.conntrackBin ?? DEFAULT_CONNTRACK;
  const source = options.source ?? {};
  const m = await matching(request, source);
  const { matched } = m;
  const exactlyThese = !isLiveTable(source) || options.max !== undefined;
  const argvFilter = request.kind === 'exact' ? exactFilter(request.connection) : exactlyThese ? undefined : conntrackFilterFor(request.filter);
  if (argvFilter !== undefined) return { action: 'delete', matched, steps: [{ invocation: deleteInvocation(compactFilter(argvFilter), bin), entries: matched }] };
  const cover = exactlyThese ? undefined : coverFor(request, m);
  if (cover !== undefined) {
    return { action: 'delete', matched, steps: cover.map((p) => ({ invocation: deleteInvocation(p.filter, bin), entries: p.entries })) };
  }
  // matches grouped by address, each group confirmed by the table read; the rest entry by entry
  const grouped = exactlyThese || m.relaxed === undefined || matched.length === 0 ? undefined : m.relaxed.counts.cover(m.relaxed.filter, matched);
  if (grouped !== undefined) {
    const steps = grouped.parts.map((p) => ({ invocation: deleteInvocation(p.filter, bin), entries: p.entries }));
    if (grouped.left.length > 0) steps.push({ invocation: batchInvocation('delete', grouped.left, undefined, bin), entries: grouped.left });
    return { action: 'delete', matched, steps, ...(grouped.left.length > 1 ? { perEntry: 'conntrack has no filter that says the same' } : {}) };
  }
  const perEntry = !isLiveTable(source) ? 'a saved table is deleted entry by entry'
    : options.max !== undefined ? '--max deletes exactly the entries it counted' : 'conntrack has no filter that says the same';
  return { action: 'delete', matched, steps: [{ invocation: batchInvocation('delete', matched, undefined, bin), entries: matched }], perEntry };
}

const FAMILIES = ['ipv4', 'ipv6'] as const;

/** Whether some entry is selected by two parts of a cover (an update would change it twice). */
function overlaps(cover: readonly CoverPart[]): boolean {
  const seen = new Set<Conn>();
  for (const p of cover) {
    for (const c of p.entries) {
      if (seen.has(c)) return true;
      seen.add(c);
    }
  }
  return false;
}

/** As planDelete, for `update --set-mark`. Entries already carrying the new mark need no change. */
export async function planUpdate(request: ChangeRequest, mark: MarkMask, options: ChangeOptions = {}): Promise<Plan> {
  const bin = options.conntrackBin ?? DEFAULT_CONNTRACK;
  const m = await matching(request, options.source ?? {});
  const { matched } = m;
  const inZone = matched.filter((c) => !updatable(c)).length;
  if (inZone > 0) {
    throw new CtflowError(
      `ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, ${inZone} of ${matched.length} matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)`,
      { code: 'EZONE' },
    );
  }
  // Only conntrack's own filters: a -R batch of -U lines fails in conntrack v1.4.7 once it has a few
  // dozen lines ("Operation failed: Protocol error", after changing some entries), so ctflow
  // refuses such an update before anything runs instead of leaving it half done.
  let parts: CoverPart[] | undefined;
  let why: string | undefined;
  if (request.kind === 'exact') parts = [{ filter: compactFilter({ ...exactFilter(request.connection), zone: undefined }), entries: matched }];
  else {
    // -w 0 is what conntrack -U does anyway: it cannot reach entries in a zone (the matches were
    // checked above to hold none), so the zone is dropped rather than refused as -w
    const filter = request.filter.zone === 0 ? { ...request.filter, zone: undefined } : request.filter;
    const direct = conntrackFilterFor(filter);
    parts = direct !== undefined ? [{ filter: compactFilter(direct), entries: matched }] : coverFor({ kind: 'filter', filter }, m);
    // nothing matched and no direct filter: nothing to run
    if (direct === undefined && matched.length === 0) parts = [];
    if (parts === undefined) why = 'conntrack has no equal filter';
    else why = parts.map((p) => updateFilterProblem(p.filter)).find((w) => w !== undefined);
    if (why === undefined && parts !== undefined && parts.length > 1 && !markUpdateRepeats(mark) && overlaps(parts)) {
      why = `entries two of its conntrack filters select would be changed twice, and --set-mark ${formatMark(mark)} has bits outside its mask`;
    }
  }
  if (parts === undefined || why !== undefined) {
    throw new CtflowError(
      `ctflow: update: this filter cannot be passed to conntrack -U (${why}) and conntrack's -R batch of -U lines is unreliable, nothing was changed; filter with -p, -s, -d, -r, -q, -f and ports only, or name one connection with --exact`,
      { code: 'EUPDATEFILTER' },
    );
  }
  // an exact tuple's addresses name the family; a filter gets one run per family it matched
  const steps = parts.flatMap(({ filter, entries }) => {
    if (request.kind === 'exact' || filter.family !== undefined) return [{ invocation: updateInvocation(filter, mark, bin), entries }];
    return FAMILIES.map((family) => ({ family, entries: entries.filter((c) => c.family === family) }))
      .filter((s) => s.entries.length > 0)
      .map(({ family, entries: e }) => ({ invocation: updateInvocation({ family, ...filter }, mark, bin), entries: e }));
  });
  return { action: 'update', matched, steps, mark };
}

/**
 * Run a plan, one step after the other. A step whose conntrack run stops part-way is checked
 * against the table and run again for what is left (a batch shrinks to those entries), as long as
 * each run gets further; an update whose mark would flip back on a second run is not repeated.
 * What could not be finished is returned as `unfinished`, with the matches left as they were.
 */
export async function executePlan(plan: Plan, options: ChangeOptions = {}): Promise<ChangeResult> {
  refuseOverMax(plan.matched.length, options.max, plan.action);
  const saved = !isLiveTable(options.source ?? {});
  // where conntrack acts: the table that was read, or the kernel's own when that was a saved copy
  const live: ReadOptions = saved ? {} : options.source ?? {};
  // After a stop, what was done is counted in the live table (gone, or carrying the new mark): a
  // stopped -U prints only some of what it changed. A saved table's entries may never have been
  // in the live one, so there a delete counts what conntrack printed (-D prints each removal).
  const countPrinted = saved && plan.action === 'delete';
  const verb = plan.action === 'delete' ? 'deleted' : 'updated';
  let reported = 0;
  let stops = 0;
  const runs = plan.steps.length;
  for (const [i, step] of plan.steps.entries()) {
    let invocation = step.invocation;
    let leftBefore = Infinity;
    while (invocation.batch?.length !== 0) {
      const tell = options.onProgress;
      tell?.({ run: i + 1, runs, changed: reported });
      // -D prints each entry it removed as it goes; -U prints only some of its changes
      const onPrinted = tell === undefined || plan.action !== 'delete' ? undefined : (n: number) => tell({ run: i + 1, runs, changed: reported + n });
      const run = await runChange(invocation, verb, onPrinted);
      if (run.finished) {
        reported += run.count;
        break;
      }
      stops++;
      if (countPrinted) reported += run.printed;
      // -U cut short after changing entries (it printed some) goes on where it stopped when run
      // again, so the table is read only when a run changed nothing, and at the end for the count
      // (5,000 updates: 20 runs; reading 20,000 entries after each doubled the time)
      if (run.repeatable && run.printed > 0 && plan.mark !== undefined && markUpdateRepeats(plan.mark)) continue;
      const now = await tableNow(live);
      const { left } = progressOf(step.entries, plan.mark, now);
      if (left.length === 0) break;
      const why = run.repeatable ? whyNotAgain(plan, left.length < leftBefore) : '';
      if (why !== undefined) {
        const p = progressOf(plan.matched, plan.mark, now);
        return stopped(plan, countPrinted ? reported : p.done.length, p, invocation, run, why);
      }
      leftBefore = left.length;
      if (invocation.batch !== undefined) invocation = batchInvocation('delete', left, undefined, invocation.command);
    }
  }
  if (stops === 0 || countPrinted) return { count: reported, matched: plan.matched };
  return { count: progressOf(plan.matched, plan.mark, await tableNow(live)).done.length, matched: plan.matched };
}

/** Why a run the kernel cut short is not run again, or undefined when it is. */
function whyNotAgain(plan: Plan, gotFurther: boolean): string | undefined {
  if (!gotFurther) return 'running it again got no further';
  if (plan.mark !== undefined && !markUpdateRepeats(plan.mark)) {
    return `a second run would flip back what the first changed (--set-mark ${formatMark(plan.mark)} has bits outside its mask)`;
  }
  return undefined;
}

/**
 * The result of a plan that stopped after `count` changes (`why`: why ctflow did not run it again,
 * '' when conntrack's failure is not one a second run gets past); conntrack's own failure when
 * nothing was changed.
 */
function stopped(plan: Plan, count: number, p: Progress, invocation: Invocation, run: StoppedRun, why: string): ChangeResult {
  if (count === 0) throw run.error;
  return {
    count,
    matched: plan.matched,
    unfinished: { command: formatInvocation(invocation)[0] ?? '', said: run.said, why, left: p.left, vanished: p.vanished.length },
  };
}

/** The table as it is now, by entry. */
async function tableNow(source: ReadOptions): Promise<Map<string, Conn>> {
  const now = new Map<string, Conn>();
  await readTable(source, (c) => now.set(entryKey(c), c));
  return now;
}

/** The one sentence for a change that stopped part-way (exit 1). */
export function unfinishedMessage(action: Plan['action'], result: ChangeResult): string {
  const u = result.unfinished;
  if (u === undefined) return '';
  const done = action === 'delete' ? 'deleted' : 'updated';
  const vanished = u.vanished > 0 ? `, ${u.vanished} left the table meanwhile` : '';
  return `ctflow: ${action}: ${u.command} stopped part-way (${u.said})${u.why === '' ? '' : ` and ${u.why}`}, `
    + `so ${result.count} connection${result.count === 1 ? ' was' : 's were'} ${done} and ${u.left.length} ${u.left.length === 1 ? 'was' : 'were'} not${vanished}`;
}

/** Delete the matching connections (no confirmation: callers ask first). */
export async function deleteConnections(request: ChangeRequest, options: ChangeOptions = {}): Promise<ChangeResult> {
  const plan = await planDelete(request, options);
  if (plan.matched.length === 0) return { count: 0, matched: [] };
  const result = await executePlan(plan, options);
  if (result.unfinished !== undefined) throw new CtflowError(unfinishedMessage('delete', result), { code: 'EPARTIAL' });
  return result;
}

export interface FlushOptions {
  family?: 'ipv4' | 'ipv6' | undefined;
  conntrackBin?: string | undefined;
  source?: ReadOptions;
}

/** How many entries a flush would remove (the count a TTY confirmation and --dry-run show). */
export async function countForFlush(options: FlushOptions = {}): Promise<number> {
  let n = 0;
  await readTable(options.source ?? {}, (c) => {
    if (options.family === undefined || c.family === options.family) n++;
  });
  return n;
}

export function flushPlan(options: FlushOptions = {}): Invocation {
  return flushInvocation(options.family, options.conntrackBin ?? DEFAULT_CONNTRACK);
}

/** Empty the table (or one family of it). Returns conntrack's count when it gives one. */
export async function flushTable(options: FlushOptions = {}): Promise<{ flushed: number | undefined }> {
  return { flushed: await runFlush(flushPlan(options)) };
}
