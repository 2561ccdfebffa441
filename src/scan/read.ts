// The read API of the commands: scanTable reads in this thread (parse/read-table.ts, the one
// in-thread read every module uses), scanJob runs a job over the table, in parallel when it pays
// (run-scan.ts). Both draw the progress line, stop when stdout closes, and say on stderr how many
// lines could not be read.

import type { Conn } from '../model.js';
import type { ConnPredicate } from '../filter/compile-filter.js';
import { PipeClosed } from '../errors.js';
import type { Output } from '../output.js';
import { withProgress } from '../parse/read-progress.js';
import { keptOutput, runScan, type ScanRun, type ScanTuning } from './run-scan.js';
import type { ReadReport } from '../parse/conn-records.js';
import { readTable, tellSkipped, type ReadOptions } from '../parse/read-table.js';
import type { JobSpec } from './job.js';

/** The matching entries of the table, read in this thread. */
export function scanTable(
  source: ReadOptions, filter: ConnPredicate, onConn: (c: Conn) => void, out?: Output, machineOutput = false,
): Promise<ReadReport> {
  return readTable(source, (c) => {
    if (filter(c)) onConn(c);
  }, { out, machineOutput });
}

/**
 * A scan job over the whole table (in parallel when it pays, see run-scan.ts): its
 * ordered output goes to `out` (if any) or is kept, each buffer of it given to `out` as a
 * function; the skipped-lines line to stderr; a closed stdout ends it.
 */
export async function scanJob<P, S>(
  source: ReadOptions, spec: JobSpec<P, S>, out: Output | ((bytes: Buffer) => void) | undefined, machineOutput = false,
  tuning: ScanTuning = {},
): Promise<ScanRun<S>> {
  const progress = withProgress(source, machineOutput);
  let run: ScanRun<S>;
  try {
    // (no output: a job that writes nothing, as top's reading)
    run = await runScan(progress.source, spec, out === undefined ? { emit: () => undefined, ...tuning } : typeof out === 'function' ? { ...keptOutput(out), ...tuning } : {
      emit: (text) => out.write(text),
      emitBytes: (bytes) => out.writeBytes(bytes),
      sink: out,
      drained: () => out.flush(),
      shouldStop: () => out.closed,
      ...tuning,
    });
  } finally {
    progress.done();
  }
  if (run.stopped && out !== undefined && typeof out !== 'function') {
    // the output closed: a write that failed (a full disk) is reported by end(), a reader that
    // went away (| head) ends us quietly
    await out.end();
    throw new PipeClosed();
  }
  tellSkipped(run.report);
  return run;
}
