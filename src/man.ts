// ctflow(1) as text, from the same program the CLI runs: scripts/man.mjs loads this (bundled as
// dist/man.js by scripts/build.mjs) and writes docs/ctflow.1.

import { commandModel } from './commands/cli-model.js';
import { manPage } from './commands/man-page.js';
import { buildProgram, DEFAULT_COMMAND, VERSION } from './program.js';

export function manText(): string {
  return manPage(commandModel(buildProgram()), { version: VERSION, defaultCommand: DEFAULT_COMMAND });
}
