// `ctflow delete`: remove exactly the connections named (--exact) or matched by list's filters,
// after showing/asking; one conntrack process whatever the number of entries.

import { Command } from 'commander';
import { planDelete } from '../kernel/change-table.js';
import { addChangeOptions, carryOut, maxFrom, requestFrom, requireConntrackUnlessDryRun, sourceFrom, type ChangeFlags } from './change-common.js';

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
  const options = { source, conntrackBin: flags.conntrackBin, max };
  await carryOut(await planDelete(request, options), flags, (n) => `delete ${n} connections?`, options);
}
