// `ctflow flush`: empty the table (conntrack -F), or one family of it (conntrack -D -f FAMILY,
// because conntrack v1.4.7's `-F -f ipv6` empties IPv4 too). Always asks or needs --yes, except
// when there is nothing to flush: that is said, with delete's exit code 3, and nothing is asked.

import { Command } from 'commander';
import { CtflowError, EXIT_NOTHING_MATCHED, ExitStatus } from '../errors.js';
import { parseFamily } from '../filter/option-values.js';
import { countForFlush, flushPlan, flushTable } from '../kernel/change-table.js';
import { formatInvocation } from '../kernel/conntrack-invocation.js';
import { createOutput } from '../output.js';
import { addSourceOptions, FAMILIES, sourceFrom, type SourceFlags } from './options.js';
import { offerValues } from './cli-model.js';
import { confirm } from './change-common.js';
import { addExamples, FILTER, inGroup, OUTPUT } from './help-groups.js';

interface FlushFlags extends SourceFlags {
  family?: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function flushCommand(): Command {
  const cmd = new Command('flush')
    .description('remove every connection from the kernel table (asks on a terminal, else needs --yes)')
    .option('-y, --yes', 'do not ask (required when stdin is not a terminal)')
    .option('--dry-run', 'show how many entries would go and the command; change nothing');
  addSourceOptions(cmd);
  inGroup(cmd, FILTER, (c) => c.option('-f, --family <family>', 'only ipv4 or ipv6 entries'));
  offerValues(cmd, '--family', FAMILIES);
  inGroup(cmd, OUTPUT, (c) => c.option('--json', 'print the result as JSON'));
  addExamples(cmd, [
    { what: 'how many entries would go, change nothing', args: 'flush --dry-run' },
    { what: 'empty the IPv6 table without asking', args: 'flush -f ipv6 --yes' },
  ]);
  return cmd.action(async (flags: FlushFlags) => runFlush(flags));
}

async function runFlush(flags: FlushFlags): Promise<void> {
  const family = flags.family === undefined ? undefined : parseFamily(flags.family, '--family');
  const source = sourceFrom({ ...flags, family: undefined });
  const plan = flushPlan({ family, conntrackBin: flags.conntrackBin });
  const out = createOutput();
  const what = family === undefined ? 'connections' : `${family} connections`;
  /** An empty table is said so, exit 3, and nothing is asked or run (--json: the empty result too). */
  const nothingToFlush = async (): Promise<never> => {
    if (flags.json) out.write(`${JSON.stringify({ flushed: 0, family: family ?? null })}\n`);
    await out.end();
    throw new CtflowError(`ctflow: flush: no ${what} in the table, nothing changed`, { code: 'ENOMATCH', exitCode: EXIT_NOTHING_MATCHED });
  };
  if (flags.dryRun || !flags.yes) {
    const count = await countForFlush({ family, source });
    if (flags.dryRun) {
      if (flags.json) out.write(`${JSON.stringify({ dry_run: true, count, would_run: formatInvocation(plan) })}\n`);
      else out.write(`${count} ${what} would be flushed by:\n  ${formatInvocation(plan).join('\n  ')}\n`);
      await out.end();
      if (count === 0) throw new ExitStatus(EXIT_NOTHING_MATCHED);
      return;
    }
    if (count === 0) return nothingToFlush();
    if (!(await confirm(`flush ${count} ${what}?`, flags, true))) throw new CtflowError('ctflow: flush: not confirmed, nothing changed', { code: 'ENOCONFIRM' });
  }
  const { flushed } = await flushTable({ family, conntrackBin: flags.conntrackBin });
  if (flushed === 0) return nothingToFlush();
  if (flags.json) out.write(`${JSON.stringify({ flushed: flushed ?? null, family: family ?? null })}\n`);
  else out.write(flushed === undefined ? `flushed the ${family ?? 'whole'} table\n` : `flushed ${flushed} ${what}\n`);
  await out.end();
}
