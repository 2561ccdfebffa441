// `ctflow update FILTER… --set-mark MARK[/MASK]`: set the connection mark of exactly the matching
// entries through conntrack -U, with delete's dry run, confirmation, --max and report.

import { Command } from 'commander';
import { usageError } from '../errors.js';
import { parseMark } from '../filter/option-values.js';
import { planUpdate } from '../kernel/change-table.js';
import { addExamples } from './help-groups.js';
import {
  addChangeOptions, carryOut, maxFrom, refuseSavedTableForUpdate, requestFrom, requireConntrackUnlessDryRun, sourceFrom, type ChangeFlags,
} from './change-common.js';

interface UpdateFlags extends ChangeFlags {
  setMark?: string;
}

export function updateCommand(): Command {
  const cmd = new Command('update')
    .description('set the mark of matching connections: new = (old & ~MASK) ^ MARK, as conntrack -U (exit 3 when nothing matched)')
    .option('--set-mark <mark>', 'MARK or MARK/MASK (decimal or 0x hex) to set');
  addChangeOptions(cmd);
  addExamples(cmd, [
    { what: 'see which connections would get mark 0x10, change nothing', args: 'update -s 10.0.0.5 --set-mark 0x10 --dry-run' },
    { what: 'set bits 0x0f00 of the mark to 0x0200 on HTTPS connections, no question', args: 'update -p tcp --dport 443 --set-mark 0x200/0xf00 --yes' },
  ]);
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
  const options = { source, conntrackBin: flags.conntrackBin, max };
  await carryOut(await planUpdate(request, mark, options), flags, (n) => `update the mark of ${n} connections?`, options);
}
