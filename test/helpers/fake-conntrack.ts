// A fake `conntrack` for CLI tests of delete/update/flush without root: a shell script that logs
// every argv it gets (one line per run) and the `-R` batch file it is given, and answers like
// conntrack v1.4.7 does (-L: a captured table; -D/-U: the count trailer on stderr, exit 1 on 0;
// -R: one printed entry per batch line; -F: "table has been emptied").
//
// With `perRun` it keeps its own copy of the table and changes it, stopping part-way as conntrack
// v1.4.7 does in a namespace: `-U -f F -p P -m M[/MASK]` sets mark=M on at most `perRun` entries
// of that family and protocol outside zones that lack it (printing each: conntrack prints some),
// then fails with "No buffer space available" while some are left; `-R` deletes the entries of at most `perRun` `-D` lines (ports
// protocols: -s -d --sport --dport), printing each, then fails with "Protocol error".

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
  /** -U and -R change a copy of the table, at most this many entries per run (see above) */
  perRun?: number;
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
  if (opts.perRun !== undefined) {
    writeFileSync(join(dir, 'table'), readFileSync(table));
    writeFileSync(bin, stoppingScript(join(dir, 'table'), log, batchLog, opts.perRun));
    chmodSync(bin, 0o755);
    return fake(bin, dir, log, batchLog);
  }
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
  return fake(bin, dir, log, batchLog);
}

function fake(bin: string, dir: string, log: string, batchLog: string): FakeConntrack {
  const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);
  return { bin, dir, runs: () => lines(log), batch: () => lines(batchLog) };
}

/** The `perRun` fake: a table that -U and -R really change, a few entries per run. */
function stoppingScript(table: string, log: string, batchLog: string, perRun: number): string {
  return `#!/bin/sh
echo "$*" >> '${log}'
t='${table}'
: > "$t.new"
case "$1" in
  -L) cat "$t" ;;
  -U) shift; fam=; proto=; mark=
    while [ $# -gt 0 ]; do case "$1" in -f) fam=$2; shift ;; -p) proto=$2; shift ;; -m) mark=\${2%%/*}; shift ;; esac; shift; done
    awk -v fam="$fam" -v proto="$proto" -v mark="$mark" -v max=${perRun} -v out="$t.new" '
      $1 == fam && $3 == proto && $0 !~ /zone/ && $0 !~ ("mark=" mark " ") { if (done < max) { sub(/mark=[0-9]+/, "mark=" mark); done++; print } else left++ }
      { print > out }
      END {
        if (left > 0) { print "${TRAILER} Operation failed: No buffer space available" > "/dev/stderr"; exit 1 }
        print "${TRAILER} " done + 0 " flow entries have been updated." > "/dev/stderr"; exit (done > 0 ? 0 : 1)
      }' "$t"; rc=$?; mv "$t.new" "$t"; exit $rc ;;
  -R) b=$(mktemp); cat "$2" > "$b"; cat "$b" >> '${batchLog}'
    awk -v max=${perRun} -v out="$t.new" '
      NR == FNR {
        if (FNR > max) { left++; next }
        for (i = 1; i < NF; i++) { if ($i == "-s") s = $(i + 1); if ($i == "-d") d = $(i + 1); if ($i == "--sport") sp = $(i + 1); if ($i == "--dport") dp = $(i + 1) }
        want["src=" s " dst=" d " sport=" sp " dport=" dp " "] = 1; next
      }
      { gone = 0; for (k in want) if (index($0, k)) gone = 1; if (gone) print; else print > out }
      END { if (left > 0) { print "${TRAILER} Operation failed: Protocol error" > "/dev/stderr"; exit 1 } }' "$b" "$t"
    rc=$?; rm -f "$b"; mv "$t.new" "$t"; exit $rc ;;
  *) echo "${TRAILER} unexpected $1" >&2; exit 2 ;;
esac
`;
}
