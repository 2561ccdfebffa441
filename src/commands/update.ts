// `ctflow update FILTER… --set-mark MARK[/MASK]`: set the connection mark of exactly the matching
// entries through conntrack -U, with delete's dry run, confirmation, --max and report.

import { Command } from 'commander';
import { usageError } from '../errors.js';
import { parseMark } from '../filter/option-values.js';
import { executePlan, planUpdate } from '../kernel/change-table.js';
import {
  addChangeOptions, confirm, maxFrom, nothingMatched, printDryRun, printResult, refuseSavedTableForUpdate, requestFrom,
  requireConntrackUnlessDryRun, sourceFrom, type ChangeFlags,
} from './change-common.js';

interface UpdateFlags extends ChangeFlags {
  setMark?: string;
}

export function updateCommand(): Command {
  const cmd = new Command('update')
    .description('set the mark of matching connections: new = (old & ~MASK) ^ MARK, as conntrack -U (exit 3 when nothing matched)')
    .option('--set-mark <mark>', 'MARK or MARK/MASK (decimal or 0x hex) to set');
  addChangeOptions(cmd);
  return cmd.action(async (flags: UpdateFlags) => runUpdate(flags));
}

async function runUpdate(flags: UpdateFlags): Promise<void> {
  if (flags.setMark === undefined) throw usageError('ctflow: --set-mark is required (what to change), got nothing');
  const mark = parseMark(flags.setMark, '--set-mark');
  const request = requestFrom(flags, 'update');
  const max = maxFrom(flags);
  const source = sourceFrom(flags);
  refuseSavedTableForUpdate(flags);
  requireConntrackUnlessDryRun(flags);
  const plan = await planUpdate(request, mark, { source, conntrackBin: flags.conntrackBin });
  if (flags.dryRun) {
    await printDryRun(plan, flags);
    if (plan.matched.length === 0) process.exitCode = 3;
    return;
  }
  if (plan.matched.length === 0) return nothingMatched('update', flags);
  const n = plan.matched.length;
  if (max !== undefined && n > max) await executePlan(plan, { max });
  if (!(await confirm(`update the mark of ${n} connections?`, flags, n > 1))) {
    process.stderr.write('ctflow: update: not confirmed, nothing changed\n');
    process.exitCode = 1;
    return;
  }
  const count = await executePlan(plan, { max, source });
  await printResult('updated', count, plan.matched, flags);
}
