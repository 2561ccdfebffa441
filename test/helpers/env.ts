// A test's brief change of one environment variable, put back afterwards even when it throws.

/** `fn()` with `process.env[name]` set to `value` (Node re-reads TZ when it is assigned). */
export function withEnv<T>(name: string, value: string, fn: () => T): T {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}
