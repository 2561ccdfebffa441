// A fake `conntrack` for CLI tests of delete/update/flush without root: a shell script that logs
// every argv it gets (one line per run) and the `-R` batch file it is given, and answers like
// conntrack v1.4.7 does (-L: a captured table; -D/-U: the count trailer on stderr, exit 1 on 0;
// -R: one printed entry per batch line; -F: "table has been emptied").

import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from './cli.js';

export interface FakeConntrack {
  /** the script, named `conntrack`, in a directory of its own (put `dir` on PATH to use it by name) */
  bin: string;
  dir: string;
  /** each run's arguments, space separated */
  runs(): string[];
  /** the lines of every -R batch file it read */
  batch(): string[];
}

export interface FakeOptions {
  /** what -L prints (default: the inserted/ table as `conntrack -L -o extended` printed it) */
  table?: string;
  /** the count -D and -U report (default 1) */
  count?: number;
  /** instead of answering, print this on stderr and exit 1 */
  fail?: string;
}

const TRAILER = 'conntrack v1.4.7 (conntrack-tools):';

/** A new fake in its own directory below `parent` (the test removes `parent` afterwards). */
export function fakeConntrack(parent: string, opts: FakeOptions = {}): FakeConntrack {
  const dir = mkdtempSync(join(parent, 'fakect-'));
  const bin = join(dir, 'conntrack');
  const log = join(dir, 'runs.log');
  const batchLog = join(dir, 'batch.log');
  const table = opts.table ?? fixture('inserted/conntrack_L_o_extended.txt');
  const count = opts.count ?? 1;
  const fail = opts.fail === undefined ? '' : `echo '${TRAILER} ${opts.fail}' >&2; exit 1\n`;
  writeFileSync(bin, `#!/bin/sh
echo "$*" >> '${log}'
${fail}case "$1" in
  -L) cat '${table}'; echo "${TRAILER} $(grep -c . '${table}') flow entries have been shown." >&2 ;;
  -R) t=$(mktemp); cat "$2" > "$t"; cat "$t" >> '${batchLog}'; sed 's/^/deleted by batch: /' "$t"; rm -f "$t" ;;
  -D) echo "${TRAILER} ${count} flow entries have been deleted." >&2; [ ${count} -gt 0 ] || exit 1 ;;
  -U) echo "${TRAILER} ${count} flow entries have been updated." >&2; [ ${count} -gt 0 ] || exit 1 ;;
  -F) echo "${TRAILER} connection tracking table has been emptied." >&2 ;;
  *) echo "${TRAILER} unexpected $1" >&2; exit 2 ;;
esac
`);
  chmodSync(bin, 0o755);
  const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);
  return { bin, dir, runs: () => lines(log), batch: () => lines(batchLog) };
}
