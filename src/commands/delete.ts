// `ctflow delete`: remove exactly the connections named (--exact) or matched by list's filters,
// after showing/asking; one conntrack process whatever the number of entries.

import { Command } from 'commander';
import { executePlan, planDelete } from '../kernel/change-table.js';
import {
  addChangeOptions, confirm, maxFrom, nothingMatched, printDryRun, printResult, requestFrom, requireConntrackUnlessDryRun, sourceFrom,
  type ChangeFlags,
} from './change-common.js';

export function deleteCommand(): Command {
  const cmd = new Command('delete')
    .description('delete connections from the kernel table (exit 3 when nothing matched)');
  addChangeOptions(cmd);
  return cmd.action(async (flags: ChangeFlags) => runDelete(flags));
}

async function runDelete(flags: ChangeFlags): Promise<void> {
  const request = requestFrom(flags, 'delete');
  const max = maxFrom(flags);
  const source = sourceFrom(flags);
  requireConntrackUnlessDryRun(flags);
  const plan = await planDelete(request, { source, conntrackBin: flags.conntrackBin, max });
  if (flags.dryRun) {
    await printDryRun(plan, flags);
    if (plan.matched.length === 0) process.exitCode = 3;
    return;
  }
  if (plan.matched.length === 0) return nothingMatched('delete', flags);
  const n = plan.matched.length;
  if (max !== undefined && n > max) await executePlan(plan, { max }); // throws the --max refusal
  if (!(await confirm(`delete ${n} connections?`, flags, n > 1))) {
    process.stderr.write('ctflow: delete: not confirmed, nothing changed\n');
    process.exitCode = 1;
    return;
  }
  const count = await executePlan(plan, { max, source });
  await printResult('deleted', count, plan.matched, flags);
}
