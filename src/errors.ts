// One error shape for everything a user can get wrong or the system can refuse.
// `exitCode` follows conntrack(8): 1 runtime error, 2 bad usage. Commands with their own
// documented codes (delete's "nothing matched") set them here too.

export const EXIT_OK = 0;
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
