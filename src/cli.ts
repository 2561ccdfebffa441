// The commander program: wires each subcommand, maps errors to exit codes (0 ok, 1 runtime,
// 2 usage, as conntrack(8)), and makes sure no stack trace ever reaches a user.

import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { apiCommand } from './commands/api.js';
import { flowsCommand } from './commands/flows.js';
import { listCommand } from './commands/list.js';
import { protocolsCommand } from './commands/protocols.js';
import { statsCommand } from './commands/stats.js';
import { topCommand } from './commands/top.js';
import { watchCommand } from './commands/watch.js';
import { deleteCommand } from './commands/delete.js';
import { flushCommand } from './commands/flush.js';
import { updateCommand } from './commands/update.js';
import { natOwnerCommand } from './commands/nat-owner.js';
import { CtflowError, EXIT_RUNTIME, EXIT_USAGE, ExitStatus, PipeClosed } from './errors.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('ctflow')
    .description('See and act on Linux connection tracking: host flows, connections, stats, live events')
    .version(pkg.version, '-V, --version')
    .showSuggestionAfterError();
  program.addCommand(flowsCommand(), { isDefault: true });
  program.addCommand(listCommand());
  program.addCommand(statsCommand());
  program.addCommand(protocolsCommand());
  program.addCommand(watchCommand());
  program.addCommand(topCommand());
  program.addCommand(deleteCommand());
  program.addCommand(flushCommand());
  program.addCommand(updateCommand());
  program.addCommand(apiCommand());
  program.addCommand(natOwnerCommand());
  configure(program);
  return program;
}

/** Every command reports usage errors the same way and lets us choose the exit code. */
function configure(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({
    outputError: (text, write) => write(`ctflow: ${text.replace(/^error: /, '')}`),
  });
  for (const sub of cmd.commands) configure(sub);
}

function exitCodeOf(err: unknown): number {
  if (err instanceof PipeClosed) return 0;
  if (err instanceof ExitStatus) return err.exitCode;
  if (err instanceof CtflowError) {
    process.stderr.write(`${err.message.startsWith('ctflow:') ? err.message : `ctflow: ${err.message}`}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    // commander has printed its message already; help and version are not errors
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EPIPE') return 0;
  process.stderr.write(`ctflow: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.CTFLOW_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT_RUNTIME;
}

export async function main(argv: string[]): Promise<void> {
  // a reader that goes away (`| head`) ends us quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  process.stderr.on('error', () => undefined);
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeOf(err);
  }
}

await main(process.argv);
