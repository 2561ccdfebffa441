// How --help is laid out: a command's own options first (with -h), then one group per kind of
// flag, in the same order on every command, so a reader finds "where to read", "which entries",
// "which rows" and "how to print" in the same place everywhere. The groups are commander's own
// (Option.helpGroup); this file only names them, files options into them and fixes their order.
// Examples ("two or three per command") are kept here too, so the man page shows the same ones.

import type { Command, Help, Option } from 'commander';

export const OWN = 'Options:';
export const SOURCE = 'Source options:';
export const FILTER = 'Filter options:';
export const SELECTION = 'Selection options:';
export const OUTPUT = 'Output options:';

/** The groups in the order --help (and the man page) shows them. */
export const GROUP_ORDER: readonly string[] = [OWN, SOURCE, FILTER, SELECTION, OUTPUT];

/** Runs `add` with `heading` as the group of every option it adds, then restores the default. */
export function inGroup<C extends Command>(cmd: C, heading: string, add: (cmd: C) => unknown): C {
  const before = cmd.optionsGroup();
  cmd.optionsGroup(heading);
  try {
    add(cmd);
  } finally {
    cmd.optionsGroup(before);
  }
  return cmd;
}

/** An option's group heading ('Options:' when it was given none). */
export const groupOf = (option: Option): string => option.helpGroupHeading ?? OWN;

const rank = (heading: string): number => {
  const i = GROUP_ORDER.indexOf(heading);
  return i < 0 ? GROUP_ORDER.length : i;
};

/**
 * commander's Help.groupItems with the groups in GROUP_ORDER instead of first-use order (which
 * would follow the order the add*Options helpers happen to be called in).
 */
export function orderedGroups<T>(this: Help, _unsorted: T[], visible: T[], getGroup: (item: T) => string): Map<string, T[]> {
  const groups = [...new Set(visible.map(getGroup))].sort((a, b) => rank(a) - rank(b));
  const result = new Map<string, T[]>(groups.map((g) => [g, []]));
  for (const item of visible) result.get(getGroup(item))!.push(item);
  return result;
}

/** One example: what it does, then the command line (without the leading `ctflow`). */
export interface Example {
  what: string;
  args: string;
}

/** The example as typed: `ctflow ARGS`. */
export const commandLine = (e: Example): string => (e.args === '' ? 'ctflow' : `ctflow ${e.args}`);

const examples = new WeakMap<Command, readonly Example[]>();

/** Adds "Examples:" after the options in --help, and remembers them for the man page. */
export function addExamples(cmd: Command, list: readonly Example[]): Command {
  examples.set(cmd, list);
  return cmd.addHelpText('after', `\nExamples:\n${list.map((e) => `  # ${e.what}\n  ${commandLine(e)}\n`).join('')}`);
}

export const examplesOf = (cmd: Command): readonly Example[] => examples.get(cmd) ?? [];
