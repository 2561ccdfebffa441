// What delete and update share: their options, exact-or-filter request, the dry run (matches in
// list's renderers plus the command that would run), the safety gate (--max, confirmation on a
// TTY, --yes otherwise) and the report.

import { Command } from 'commander';
import { CtflowError, EXIT_NOTHING_MATCHED, ExitStatus, usageError } from '../errors.js';
import { parseCount } from '../filter/option-values.js';
import type { Conn } from '../model.js';
import { createOutput } from '../output.js';
import { connToJson } from '../render/conn-json.js';
import { renderConnTable } from '../render/conn-table.js';
import { stdoutPalette } from '../render/palette.js';
import { DEFAULT_CONNTRACK, formatInvocation } from '../kernel/conntrack-invocation.js';
import { requireConntrack } from '../kernel/run-conntrack.js';
import {
  executePlan, refuseOverMax, unfinishedMessage, type ChangeOptions, type ChangeRequest, type ChangeResult, type Plan,
} from '../kernel/change-table.js';
import { parseExactConnection } from '../kernel/exact-connection.js';
import { changeProgressLine } from './change-progress.js';
import {
  FILTER_KEYS, addFilterOptions, addSourceOptions, describeFilter, filterFrom, flagName, sourceFrom, type FilterFlags, type SourceFlags, NO_COLOR,
} from './options.js';
import { FILTER, inGroup, OUTPUT } from './help-groups.js';

export interface ChangeFlags extends SourceFlags, FilterFlags {
  exact?: boolean;
  icmpType?: string;
  icmpCode?: string;
  icmpId?: string;
  dryRun?: boolean;
  yes?: boolean;
  max?: string;
  json?: boolean;
  color?: boolean;
}

export function addChangeOptions(cmd: Command): Command {
  cmd
    .option('--dry-run', 'show the matching connections and the conntrack command; change nothing')
    .option('-y, --yes', 'do not ask; required when stdin is not a terminal and more than one connection matches')
    .option('--max <n>', 'refuse (exit 1, nothing changed) when more than N connections match');
  addSourceOptions(cmd);
  inGroup(cmd, FILTER, (c) => c
    .option('--exact', 'name one connection: -p, -s, -d (no CIDR) and, for tcp/udp/udplite/sctp/dccp, --sport and --dport')
    .option('--icmp-type <n>', 'with --exact: icmp/icmpv6 type (implies --exact)')
    .option('--icmp-code <n>', 'with --exact: icmp/icmpv6 code (implies --exact)')
    .option('--icmp-id <n>', 'with --exact: icmp/icmpv6 echo id (implies --exact)'));
  addFilterOptions(cmd);
  inGroup(cmd, OUTPUT, (c) => c
    .option('--json', 'print the result as JSON')
    .option(...NO_COLOR));
  return cmd;
}

const EXACT_ALLOWS = new Set(['proto', 'src', 'dst', 'sport', 'dport', 'zone', 'icmpType', 'icmpCode', 'icmpId', 'exact']);

/** Exact mode (--exact or any --icmp-*) or any filter list accepts. */
export function requestFrom(flags: ChangeFlags, verb: 'delete' | 'update'): ChangeRequest {
  const exact = flags.exact || flags.icmpType !== undefined || flags.icmpCode !== undefined || flags.icmpId !== undefined;
  if (exact) {
    const extra = FILTER_KEYS.find((k) => flags[k] !== undefined && !EXACT_ALLOWS.has(k));
    if (extra !== undefined) {
      throw usageError(`ctflow: ${flagName(extra)}: --exact names one connection by -p, -s, -d, --sport, --dport, --icmp-* and -w only, got ${flagName(extra)}`);
    }
    return {
      kind: 'exact',
      connection: parseExactConnection({
        proto: flags.proto, src: flags.src, dst: flags.dst, sport: flags.sport, dport: flags.dport,
        icmpType: flags.icmpType, icmpCode: flags.icmpCode, icmpId: flags.icmpId, zone: flags.zone,
      }),
    };
  }
  if (describeFilter(flags) === undefined) {
    throw usageError(`ctflow: ${verb}: name what to ${verb}: at least one filter option or --exact, got none (ctflow flush empties the table)`);
  }
  return { kind: 'filter', filter: filterFrom(flags) };
}

/**
 * A saved table (--file, --stdin) is fine for a dry run; an update needs the live one: conntrack -U
 * acts on the kernel's table through a filter, and the batch of exact -U lines that could follow
 * a saved table is unreliable (see kernel/change-table.ts).
 */
export function refuseSavedTableForUpdate(flags: ChangeFlags): void {
  if (flags.dryRun || (flags.file === undefined && !flags.stdin)) return;
  throw usageError(`ctflow: update: ${flags.stdin ? '--stdin' : '--file'} gives a saved table, but an update acts on the live one: add --dry-run to preview, or drop it to read /proc (or use --exec)`);
}

/**
 * Checks and plans nothing: the conntrack binary must be there for a real change (exit 1 even
 * when nothing would match).
 */
export function requireConntrackUnlessDryRun(flags: ChangeFlags): void {
  if (!flags.dryRun) requireConntrack(flags.conntrackBin ?? DEFAULT_CONNTRACK);
}

export function maxFrom(flags: ChangeFlags): number | undefined {
  return flags.max === undefined ? undefined : parseCount(flags.max, '--max');
}

function renderMatches(conns: readonly Conn[], flags: ChangeFlags): string {
  const palette = stdoutPalette(flags);
  return renderConnTable(conns, palette);
}

/** --dry-run: the matches as list shows them, then the command(s) that would run. */
async function printDryRun(plan: Plan, flags: ChangeFlags): Promise<void> {
  const out = createOutput();
  const commands = plan.steps.flatMap((s) => formatInvocation(s.invocation));
  if (flags.json) {
    out.write(`${JSON.stringify({ dry_run: true, matched: plan.matched.map(connToJson), would_run: commands }, null, 2)}\n`);
  } else {
    if (plan.matched.length > 0) out.write(renderMatches(plan.matched, flags));
    const n = `${plan.matched.length} connection${plan.matched.length === 1 ? '' : 's'} would be ${plan.action === 'delete' ? 'deleted' : 'updated'}`;
    out.write(commands.length === 0 ? `${n}: nothing to run\n` : `${n} by:\n`);
    for (const line of commands) out.write(`  ${line}\n`);
    const lines = plan.steps.reduce((n, s) => n + (s.invocation.batch?.length ?? 0), 0);
    if (plan.perEntry !== undefined && lines > 1) out.write(`note: conntrack walks the whole table once per line, ${lines} times (${plan.perEntry})\n`);
  }
  await out.end();
}

/** Ask on a TTY; without one, --yes is required. Returns false when the user said no. */
export async function confirm(question: string, flags: { yes?: boolean }, needed: boolean): Promise<boolean> {
  if (flags.yes || !needed) return true;
  if (!process.stdin.isTTY) {
    throw new CtflowError(`ctflow: ${question.replace(/\?$/, '')}: stdin is not a terminal, so nothing was changed; add --yes to confirm`, {
      code: 'ENOCONFIRM',
    });
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Nothing matched: exit 3 with one stderr line, and with --json the empty result on stdout. */
async function nothingMatched(verb: 'delete' | 'update', flags: ChangeFlags): Promise<void> {
  if (flags.json) await printResult(verb, { count: 0, matched: [] }, flags);
  throw new CtflowError(`ctflow: ${verb}: nothing matched, nothing changed`, { code: 'ENOMATCH', exitCode: EXIT_NOTHING_MATCHED });
}

/**
 * The one-line report, or the JSON result. A change
 * conntrack stopped part-way also lists the matches left as they were (`not_deleted`/`not_updated`
 * in JSON), then fails (exit 1) with the sentence saying how many were and were not changed.
 */
async function printResult(action: 'delete' | 'update', result: ChangeResult, flags: ChangeFlags): Promise<void> {
  const verb = action === 'delete' ? 'deleted' : 'updated';
  const { count, matched, unfinished } = result;
  const out = createOutput();
  if (flags.json) {
    const left = unfinished === undefined ? {} : { [`not_${verb}`]: unfinished.left.map(connToJson) };
    out.write(`${JSON.stringify({ [verb]: count, matched: matched.map(connToJson), ...left }, null, 2)}\n`);
  } else {
    if (unfinished !== undefined && unfinished.left.length > 0) out.write(renderMatches(unfinished.left, flags));
    const notDone = unfinished === undefined ? '' : `, ${unfinished.left.length} not ${verb}${unfinished.left.length > 0 ? ' (above)' : ''}`;
    out.write(`${verb} ${count} connection${count === 1 ? '' : 's'}${notDone}\n`);
  }
  await out.end();
  if (unfinished !== undefined) throw new CtflowError(unfinishedMessage(action, result), { code: 'EPARTIAL' });
}

export { sourceFrom };

/**
 * What delete and update do with their plan: the dry run, "nothing matched", the --max refusal,
 * the confirmation (`question`, when more than one entry would change), the run and the report.
 */
export async function carryOut(plan: Plan, flags: ChangeFlags, question: (n: number) => string, options: ChangeOptions): Promise<void> {
  const n = plan.matched.length;
  if (flags.dryRun) {
    await printDryRun(plan, flags);
    if (n === 0) throw new ExitStatus(EXIT_NOTHING_MATCHED);
    return;
  }
  if (n === 0) return nothingMatched(plan.action, flags);
  refuseOverMax(n, options.max, plan.action);
  if (!(await confirm(question(n), flags, n > 1))) throw new CtflowError(`ctflow: ${plan.action}: not confirmed, nothing changed`, { code: 'ENOCONFIRM' });
  const line = process.stderr.isTTY ? changeProgressLine(process.stderr, plan.action) : undefined;
  let result: ChangeResult;
  try {
    result = await executePlan(plan, line === undefined ? options : { ...options, onProgress: (p) => line.update(p) });
  } finally {
    line?.done();
  }
  await printResult(plan.action, result, flags);
  if (result.count === 0) throw new ExitStatus(EXIT_NOTHING_MATCHED);
}
