// The ctflow executable: runs the commander program (program.ts), maps errors to exit codes (0 ok,
// 1 runtime, 2 usage, as conntrack(8)), and makes sure no stack trace ever reaches a user.

import { CommanderError } from 'commander';
import { CtflowError, EXIT_RUNTIME, EXIT_USAGE, ExitStatus, PipeClosed } from './errors.js';
import { buildProgram } from './program.js';

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
