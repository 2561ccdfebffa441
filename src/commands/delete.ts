// `ctflow delete`: remove exactly the connections named (--exact) or matched by list's filters,
// after showing/asking; one conntrack process whatever the number of entries.

import { Command } from 'commander';
import { planDelete } from '../kernel/change-table.js';
import { addExamples } from './help-groups.js';
import { addChangeOptions, carryOut, maxFrom, requestFrom, requireConntrackUnlessDryRun, sourceFrom, type ChangeFlags } from './change-common.js';

export function deleteCommand(): Command {
  const cmd = new Command('delete')
    .description('delete connections from the kernel table (exit 3 when nothing matched)');
  addChangeOptions(cmd);
  addExamples(cmd, [
    { what: 'see what would go, change nothing', args: 'delete -p udp --dport 53 --dry-run' },
    { what: 'delete one connection, named exactly', args: 'delete --exact -p udp -s 10.0.0.2 -d 9.9.9.9 --sport 53 --dport 53' },
    { what: 'from a script: at most 100 entries, no question', args: 'delete -s 10.0.0.0/8 --state TIME_WAIT --max 100 --yes' },
  ]);
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
