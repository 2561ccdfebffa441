// Delete, update and flush as library calls (the CLI commands and `ctflow api` share them).
//
// Every change is planned first: read the table, match with ctflow's own filter (so --dry-run,
// --max, the confirmation and "nothing matched" all see the same set), then choose the invocation:
// conntrack's own filter as one argv when it says exactly the same thing, otherwise one
// `conntrack -R -` batch of exact tuples. Planning changes nothing; executing runs one process.
//
// conntrack's filter acts on the live table as it is when conntrack runs, so a delete uses the
// batch of exactly the matched entries whenever that could differ from what was counted: when
// the table was read from a file or stdin (a saved table: the live one may hold other entries),
// and when --max promised an upper bound (entries that start matching between the read and the
// run would otherwise go too).

import { CtflowError } from '../errors.js';
import { compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import { isPlainAddress } from '../filter/address-match.js';
import { PROTOCOL_BY_NUMBER, type Conn } from '../model.js';
import { isLiveTable } from '../source/open-source.js';
import { readTable, type ReadOptions } from '../parse/read-table.js';
import {
  batchInvocation, deleteInvocation, DEFAULT_CONNTRACK, flushInvocation, markAfterUpdate, updatable,
  updateFilterProblem, updateInvocation, type ConntrackFilter, type Invocation, type MarkMask,
} from './conntrack-invocation.js';
import { exactFilter, exactPredicate, type ExactConnection } from './exact-connection.js';
import { runCountedWithRetry, runFlush } from './run-conntrack.js';

export type ChangeRequest =
  | { kind: 'exact'; connection: ExactConnection }
  | { kind: 'filter'; filter: FilterOptions };

export interface ChangeOptions {
  /** where the table is read from (default /proc/net/nf_conntrack) */
  source?: ReadOptions;
  conntrackBin?: string;
  /** refuse when more than this many entries would change */
  max?: number;
}

export interface Plan {
  action: 'delete' | 'update';
  matched: Conn[];
  invocation: Invocation;
  mark?: MarkMask;
}

export interface ChangeResult {
  /** entries conntrack reports as deleted/updated */
  count: number;
  matched: Conn[];
}

const STATUS_CONNTRACK_KNOWS = new Set(['ASSURED', 'SEEN_REPLY']);

/**
 * The conntrack filter equal to ctflow's filter, or undefined when conntrack cannot say the same
 * thing (its own semantics differ or it lacks the test). Each rule was checked against
 * conntrack v1.4.7 in a namespace.
 */
export function conntrackFilterFor(f: FilterOptions): ConntrackFilter | undefined {
  // --port (any port), NAT by tuples and directional zones: conntrack has no equal test
  if (f.port !== undefined || f.snat || f.dnat || f.nat || f.zone !== undefined) return undefined;
  if (f.state !== undefined && (f.state.length !== 1 || f.proto === undefined)) return undefined;
  // conntrack has no mask for reply addresses
  if (f.replySrc !== undefined && !isPlainAddress(f.replySrc)) return undefined;
  if (f.replyDst !== undefined && !isPlainAddress(f.replyDst)) return undefined;
  if (f.status !== undefined && !f.status.every((s) => STATUS_CONNTRACK_KNOWS.has(s))) return undefined;
  // conntrack compares (mark & mask) == value: equal to ctflow only when value has no bits outside mask
  if (f.mark !== undefined && ((f.mark.value & ~f.mark.mask) >>> 0) !== 0) return undefined;
  const ports = f.sport !== undefined || f.dport !== undefined || f.replyPortSrc !== undefined || f.replyPortDst !== undefined;
  const protoName = f.proto === undefined ? undefined : PROTOCOL_BY_NUMBER.get(f.proto) ?? String(f.proto);
  // port options are read by conntrack's protocol extension: they need a port protocol
  if (ports && !(protoName === 'tcp' || protoName === 'udp' || protoName === 'udplite' || protoName === 'sctp' || protoName === 'dccp')) {
    return undefined;
  }
  return {
    family: f.family, proto: protoName, src: f.src, dst: f.dst, replySrc: f.replySrc, replyDst: f.replyDst,
    sport: f.sport, dport: f.dport, replyPortSrc: f.replyPortSrc, replyPortDst: f.replyPortDst,
    state: f.state?.[0], mark: f.mark, status: f.status,
  };
}

/** Drop undefined fields so argv and test expectations stay small. */
function compact(f: ConntrackFilter): ConntrackFilter {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as ConntrackFilter;
}

async function matching(request: ChangeRequest, source: ReadOptions): Promise<Conn[]> {
  const test = request.kind === 'exact' ? exactPredicate(request.connection) : compileFilter(request.filter);
  const matched: Conn[] = [];
  await readTable(source, (c) => {
    if (test(c)) matched.push(c);
  });
  return matched;
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
  const matched = await matching(request, source);
  const exactlyThese = !isLiveTable(source) || options.max !== undefined;
  const argvFilter = request.kind === 'exact' ? exactFilter(request.connection) : exactlyThese ? undefined : conntrackFilterFor(request.filter);
  const invocation = argvFilter !== undefined ? deleteInvocation(compact(argvFilter), bin) : batchInvocation('delete', matched, undefined, bin);
  return { action: 'delete', matched, invocation };
}

/** As planDelete, for `update --set-mark`. Entries already carrying the new mark need no change. */
export async function planUpdate(request: ChangeRequest, mark: MarkMask, options: ChangeOptions = {}): Promise<Plan> {
  const bin = options.conntrackBin ?? DEFAULT_CONNTRACK;
  const matched = await matching(request, options.source ?? {});
  const inZone = matched.filter((c) => !updatable(c)).length;
  if (inZone > 0) {
    throw new CtflowError(
      `ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, ${inZone} of ${matched.length} matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)`,
      { code: 'EZONE' },
    );
  }
  // Only conntrack's own filter: a -R batch of -U lines fails in conntrack v1.4.7 once it has a few
  // dozen lines ("Operation failed: Protocol error", after changing some entries), so ctflow
  // refuses such an update before anything runs instead of leaving it half done.
  let argvFilter: ConntrackFilter | undefined;
  let why: string | undefined;
  if (request.kind === 'exact') argvFilter = { ...exactFilter(request.connection), zone: undefined };
  else {
    // -w 0 is what conntrack -U does anyway: it cannot reach entries in a zone (the matches were
    // checked above to hold none), so the zone is dropped rather than refused as -w
    const f = conntrackFilterFor(request.filter.zone === 0 ? { ...request.filter, zone: undefined } : request.filter);
    why = f === undefined ? 'conntrack has no equal filter' : updateFilterProblem(f);
    argvFilter = why === undefined ? f : undefined;
  }
  if (argvFilter === undefined) {
    throw new CtflowError(
      `ctflow: update: this filter cannot be passed to conntrack -U (${why}) and conntrack's -R batch of -U lines is unreliable, nothing was changed; filter with -p, -s, -d, -r, -q and -f only, or name one connection with --exact`,
      { code: 'EUPDATEFILTER' },
    );
  }
  const invocation = updateInvocation(compact(argvFilter), mark, bin);
  return { action: 'update', matched, invocation, mark };
}

/** Run a plan: one conntrack process; the count is conntrack's own. */
export async function executePlan(plan: Plan, options: ChangeOptions = {}): Promise<number> {
  refuseOverMax(plan.matched.length, options.max, plan.action);
  if (plan.invocation.batch !== undefined && plan.invocation.batch.length === 0) return 0;
  const run = await runCountedWithRetry(plan.invocation, plan.action === 'delete' ? 'deleted' : 'updated');
  if (!run.retried || !isLiveTable(options.source ?? {})) return run.count;
  return countDone(plan, options.source ?? {});
}

/**
 * After an interrupted conntrack run, count from the table itself what the plan achieved: the
 * matches that are gone (delete), or that now carry the new mark they lacked (update).
 */
async function countDone(plan: Plan, source: ReadOptions): Promise<number> {
  const now = new Map<string, Conn>();
  await readTable(source, (c) => now.set(entryKey(c), c));
  let done = 0;
  for (const c of plan.matched) {
    const after = now.get(entryKey(c));
    if (plan.action === 'delete') {
      if (after === undefined) done++;
    } else if (plan.mark !== undefined && after !== undefined) {
      const target = markAfterUpdate(c.mark, plan.mark);
      if (c.mark !== target && after.mark === target) done++;
    }
  }
  return done;
}

/** What identifies one entry: family, protocol, original tuple and zones. */
export function entryKey(c: Conn): string {
  const o = c.original;
  return [c.family, c.protonum, o.src, o.dst, o.sport, o.dport, o.type, o.code, o.id, o.srckey, o.dstkey, c.zone, o.zone, c.reply.zone].join(' ');
}

/** Delete the matching connections (no confirmation: callers ask first). */
export async function deleteConnections(request: ChangeRequest, options: ChangeOptions = {}): Promise<ChangeResult> {
  const plan = await planDelete(request, options);
  if (plan.matched.length === 0) return { count: 0, matched: [] };
  return { count: await executePlan(plan, options), matched: plan.matched };
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
