// "Every option in --help is exercised by some test", checked rather than promised: a test file
// runs the CLI through `track.run`, which remembers every flag it passed, and its last test
// compares that set with the flags the command's --help lists (both spellings).

import { runCli, type CliOptions, type CliResult } from './cli.js';

/** Every flag an Options section of commander's --help lists (`-y`, `--yes`, `--no-color`…), in order. */
export function helpFlags(help: string): string[] {
  const flags: string[] = [];
  const section = help.slice(help.indexOf('\nOptions:\n'));
  for (const m of section.matchAll(/^ {2}((?:-\w, )?--[\w-]+)/gm)) {
    for (const flag of m[1]!.split(', ')) if (flag !== '-h' && flag !== '--help') flags.push(flag);
  }
  return flags;
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
