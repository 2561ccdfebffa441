// The commander program: every subcommand, its help layout and its one-line usage errors,
// built without being run, so the CLI (cli.ts), the man page (scripts/man.mjs) and the shell
// completion (commands/completion.ts) all read the same definitions.

import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { apiCommand } from './commands/api.js';
import { completionCommand } from './commands/completion.js';
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
import { addExamples, orderedGroups } from './commands/help-groups.js';
import { oneLineError } from './commands/usage-error-text.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const VERSION = pkg.version;

/** What `ctflow` runs when no command is named. */
export const DEFAULT_COMMAND = 'flows';

export function buildProgram(): Command {
  const program = new Command('ctflow')
    .description('See and act on Linux connection tracking: host flows, connections, stats, live events')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError()
    .addHelpText('after', '\nWith no command, ctflow runs flows: `ctflow -n` is `ctflow flows -n` (ctflow flows --help).\n' +
      'Exit codes: 0 ok, 1 runtime error, 2 usage error, 3 nothing matched (delete, update, flush).');
  program.addCommand(flowsCommand(), { isDefault: true });
  if (program.commands[0]!.name() !== DEFAULT_COMMAND) throw new Error('program: the default command is not DEFAULT_COMMAND');
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
  program.addCommand(completionCommand(DEFAULT_COMMAND));
  addExamples(program, [
    { what: 'host flows of the live table (the default command)', args: '' },
    { what: 'established TCP connections, most bytes first', args: 'list -p tcp --state ESTABLISHED' },
    { what: 'one command\'s options and examples', args: 'help list' },
  ]);
  configure(program);
  return program;
}

/** Every command lays out its help the same way, reports usage errors on one line and lets us choose the exit code. */
function configure(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureHelp({ groupItems: orderedGroups });
  cmd.configureOutput({ outputError: (text, write) => write(oneLineError(text)) });
  for (const sub of cmd.commands) configure(sub);
}
