// `ctflow flush`: empty the table (conntrack -F), or one family of it (conntrack -D -f FAMILY,
// because conntrack v1.4.7's `-F -f ipv6` empties IPv4 too). Always asks or needs --yes.

import { Command } from 'commander';
import { parseFamily } from '../filter/option-values.js';
import { CtflowError } from '../errors.js';
import { countForFlush, flushPlan, flushTable } from '../kernel/change-table.js';
import { formatInvocation } from '../kernel/conntrack-invocation.js';
import { createOutput } from '../output.js';
import { addSourceOptions, sourceFrom, type SourceFlags } from './options.js';
import { confirm } from './change-common.js';

interface FlushFlags extends SourceFlags {
  family?: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function flushCommand(): Command {
  const cmd = new Command('flush')
    .description('remove every connection from the kernel table (asks on a terminal, else needs --yes)')
    .option('-f, --family <family>', 'only ipv4 or ipv6 entries')
    .option('-y, --yes', 'do not ask (required when stdin is not a terminal)')
    .option('--dry-run', 'show how many entries would go and the command; change nothing')
    .option('--json', 'print the result as JSON');
  addSourceOptions(cmd);
  return cmd.action(async (flags: FlushFlags) => runFlush(flags));
}

async function runFlush(flags: FlushFlags): Promise<void> {
  const family = flags.family === undefined ? undefined : parseFamily(flags.family, '--family');
  const source = sourceFrom({ ...flags, family: undefined });
  const plan = flushPlan({ family, conntrackBin: flags.conntrackBin });
  const out = createOutput();
  const what = family === undefined ? 'connections' : `${family} connections`;
  if (flags.dryRun || !flags.yes) {
    const count = await countForFlush({ family, source });
    if (flags.dryRun) {
      if (flags.json) out.write(`${JSON.stringify({ dry_run: true, count, would_run: formatInvocation(plan) })}\n`);
      else out.write(`${count} ${what} would be flushed by:\n  ${formatInvocation(plan).join('\n  ')}\n`);
      await out.end();
      return;
    }
    if (!(await confirm(`flush ${count} ${what}?`, flags, true))) throw new CtflowError('ctflow: flush: not confirmed, nothing changed', { code: 'ENOCONFIRM' });
  }
  const { flushed } = await flushTable({ family, conntrackBin: flags.conntrackBin });
  if (flags.json) out.write(`${JSON.stringify({ flushed: flushed ?? null, family: family ?? null })}\n`);
  else out.write(flushed === undefined ? `flushed the ${family ?? 'whole'} table\n` : `flushed ${flushed} ${what}\n`);
  await out.end();
}
