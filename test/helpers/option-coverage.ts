// "Every option in --help is exercised by some test", checked rather than promised: a test file
// runs the CLI through `track.run`, which remembers every flag it passed, and its last test
// compares that set with the flags the command's --help lists (both spellings).

import { runCli, type CliOptions, type CliResult } from './cli.js';

/** One option line of --help: its spellings and whether it takes a value (`<x>` always, `[x]` maybe). */
export interface HelpOption {
  flags: string[];
  value: 'required' | 'optional' | undefined;
}

/**
 * Every option line of every options section of commander's --help ("Options:", "Source
 * options:", … : the groups), in order, without -h/--help. Strict: a line in an options section
 * that is neither an option nor the continuation of one's description is an error, and so is a
 * help with no options section at all, so a change of layout cannot make options go unseen.
 */
export function helpOptions(help: string): HelpOption[] {
  const found: HelpOption[] = [];
  let inOptions = false;
  let sections = 0;
  for (const line of help.split('\n')) {
    if (/^\S.*:$/.test(line)) {
      inOptions = /^(?:[A-Z][a-z]+ options|Options):$/.test(line);
      if (inOptions) sections++;
      continue;
    }
    if (!inOptions || line === '' || line.startsWith('   ')) continue;
    const m = /^ {2}((?:-\w, )?--[\w-]+)(?: (<|\[))?/.exec(line);
    if (m === null) throw new Error(`--help: a line in an options section is not an option: ${JSON.stringify(line)}`);
    const flags = m[1]!.split(', ').filter((f) => f !== '-h' && f !== '--help');
    if (flags.length > 0) found.push({ flags, value: m[2] === undefined ? undefined : m[2] === '<' ? 'required' : 'optional' });
  }
  if (sections === 0) throw new Error('--help: no options section found');
  return found;
}

/** Every flag the options sections of commander's --help list (`-y`, `--yes`, `--no-color`…), in order. */
export function helpFlags(help: string): string[] {
  return helpOptions(help).flatMap((o) => o.flags);
}

export class OptionCoverage {
  readonly used = new Set<string>();

  constructor(private readonly command: string) {}

  /** runCli([command, ...args]) remembering each flag (also `--flag=value`). */
  run(args: string[], opts?: CliOptions): Promise<CliResult> {
    for (const a of args) if (a.startsWith('-') && a !== '-') this.used.add(a.split('=')[0]!);
    return runCli([this.command, ...args], opts);
  }

  /** The flags --help lists that no test here passed. */
  unused(help: string): string[] {
    return helpFlags(help).filter((f) => !this.used.has(f));
  }
}
