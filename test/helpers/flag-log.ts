// Every ctflow command line a test runs is logged with how it ended (one JSON object per line, a
// file per test process under build/flag-log/), so that scripts/test.mjs can check, after the
// whole suite, that each option a command's --help lists was passed to that command by some test
// in a run that was not refused as bad usage (exit 2).

import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let dir: string | undefined;

/** `code`: the exit code, or null when the test cannot see it (a terminal run in tmux). */
export function logRun(args: readonly string[], code: number | null): void {
  if (dir === undefined) {
    // the repository root (not imported from cli.ts, which imports this module)
    let root = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(root, 'package.json'))) root = dirname(root);
    dir = join(root, 'build', 'flag-log');
    mkdirSync(dir, { recursive: true });
  }
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify({ args, code })}\n`);
}
