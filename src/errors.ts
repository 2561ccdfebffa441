// One error shape for everything a user can get wrong or the system can refuse, and the one
// list of exit codes. `exitCode` follows conntrack(8): 1 runtime error, 2 bad usage; 3 is
// delete's and update's "nothing matched". Commands return or throw: only cli.ts turns what they
// threw into the process's exit code.

export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
/** delete, update and flush: nothing matched, so nothing changed (a script can tell it from a failure) */
export const EXIT_NOTHING_MATCHED = 3;

export class CtflowError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, options: { code?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'CtflowError';
    this.code = options.code ?? 'ERUNTIME';
    this.exitCode = options.exitCode ?? EXIT_RUNTIME;
  }
}

/** A bad option value or argument: exit 2. */
export function usageError(message: string): CtflowError {
  return new CtflowError(message, { code: 'EUSAGE', exitCode: EXIT_USAGE });
}

/**
 * A command that has written its whole answer and ends with a non-zero code and nothing more to
 * say (a --dry-run that matched nothing, an API error response): cli.ts prints nothing for it.
 */
export class ExitStatus extends Error {
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitStatus';
    this.exitCode = exitCode;
  }
}

/** Thrown to stop reading when the reader of our stdout has gone (`ctflow … | head`): exit 0. */
export class PipeClosed extends Error {
  constructor() {
    super('stdout closed');
    this.name = 'PipeClosed';
  }
}
