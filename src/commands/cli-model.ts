// The commands and options as plain data, read from the commander program itself, for what is
// generated from the definitions rather than written twice: the man page (docs/ctflow.1) and the
// bash, zsh and fish completion scripts. Options whose values are a closed list (sort keys,
// families, protocols…) carry that list, registered where the option is declared.

import type { Command, Option } from 'commander';
import { commandLine, examplesOf, groupOf, GROUP_ORDER, type Example } from './help-groups.js';

const offered = new WeakMap<Option, readonly string[]>();

/** Declares the values `flag` (its long form) of `cmd` takes, for completion and the man page. */
export function offerValues<C extends Command>(cmd: C, flag: string, values: readonly string[]): C {
  const option = cmd.options.find((o) => o.long === flag);
  if (option === undefined) throw new Error(`offerValues: ${cmd.name()} has no ${flag}`);
  offered.set(option, values);
  return cmd;
}

export interface OptionModel {
  short: string | undefined;
  long: string;
  /** `<key>`, `[file]`, or undefined for a switch */
  arg: string | undefined;
  description: string;
  group: string;
  /** the closed list of values, when there is one */
  values: readonly string[] | undefined;
  /** the value is a path (complete file names) */
  path: boolean;
}

export interface CommandModel {
  /** `list`, or `api read` for a subcommand */
  name: string;
  aliases: readonly string[];
  summary: string;
  description: string;
  options: OptionModel[];
  /** positional arguments with their closed lists (completion's shell) */
  args: { name: string; values: readonly string[] }[];
  commands: CommandModel[];
  examples: { what: string; line: string }[];
}

const PATH_ARG = /^[<[](path|file|dir)[>\]]$/;

function optionModel(o: Option): OptionModel {
  const arg = /\s([<[][^>\]]+[>\]])$/.exec(o.flags)?.[1];
  return {
    short: o.short,
    long: o.long!,
    arg,
    description: o.description,
    group: groupOf(o),
    values: offered.get(o),
    path: arg !== undefined && PATH_ARG.test(arg),
  };
}

const HELP: OptionModel = {
  short: '-h', long: '--help', arg: undefined, description: 'display help for command', group: 'Options:', values: undefined, path: false,
};

/** The program (or one command) as data: visible options in help-group order, as --help lists them. */
export function commandModel(cmd: Command, parents: readonly string[] = []): CommandModel {
  const name = [...parents, cmd.name()].join(' ');
  const rank = (o: OptionModel): number => GROUP_ORDER.indexOf(o.group);
  // a stable sort: within a group, declaration order (-h last of the command's own), as --help shows them
  const options = [...cmd.options.filter((o) => !o.hidden).map(optionModel), HELP].sort((a, b) => rank(a) - rank(b));
  const isProgram = cmd.parent === null;
  return {
    name,
    aliases: cmd.aliases(),
    summary: cmd.summary() || cmd.description(),
    description: cmd.description(),
    options,
    args: cmd.registeredArguments.map((a) => ({ name: a.name(), values: a.argChoices ?? [] })),
    commands: cmd.commands.map((sub) => commandModel(sub, isProgram ? [] : [...parents, cmd.name()])),
    examples: examplesOf(cmd).map((e: Example) => ({ what: e.what, line: commandLine(e) })),
  };
}
