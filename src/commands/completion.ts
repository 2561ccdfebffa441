// `ctflow completion bash|zsh|fish`: prints a completion script for that shell, written from the
// program's own commands and options (completion-scripts.ts), so it never falls behind them.

import { Argument, Command } from 'commander';
import { createOutput } from '../output.js';
import { commandModel } from './cli-model.js';
import { bashCompletion, fishCompletion, zshCompletion } from './completion-scripts.js';
import { addExamples } from './help-groups.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export function completionCommand(defaultCommand: string): Command {
  const cmd = new Command('completion')
    .description('print a shell completion script for bash, zsh or fish (commands, options and their values)')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SHELLS)));
  addExamples(cmd, [
    { what: 'bash, for every session (with bash-completion; or: source <(ctflow completion bash))', args: 'completion bash > /usr/share/bash-completion/completions/ctflow' },
    { what: 'zsh: a directory of $fpath, then compinit', args: 'completion zsh > ~/.zsh/completions/_ctflow' },
    { what: 'fish', args: 'completion fish > ~/.config/fish/completions/ctflow.fish' },
  ]);
  return cmd.action(async (shell: keyof typeof SHELLS, _flags: unknown, self: Command) => {
    const out = createOutput();
    out.write(SHELLS[shell](commandModel(self.parent!), defaultCommand));
    await out.end();
  });
}
