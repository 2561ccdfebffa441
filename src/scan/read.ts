// What every reading command does around readTable: filter, stop early when stdout closed,
// and say on stderr how many lines could not be read.

import type { Conn } from '../model.js';
import type { ConnPredicate } from '../filter/compile-filter.js';
import { PipeClosed } from '../errors.js';
import type { Output } from '../output.js';
import { withProgress } from './progress.js';
import { runScan, type ScanRun } from './run-scan.js';
import { skippedMessage, type ReadReport } from '../parse/conn-records.js';
import { readTable, type ReadOptions } from '../parse/read-table.js';
import type { JobSpec } from './job.js';

export async function scanTable(
  source: ReadOptions,
  filter: ConnPredicate,
  onConn: (c: Conn) => void,
  out?: Output,
  machineOutput = false,
): Promise<ReadReport> {
  const progress = withProgress(source, machineOutput);
  let report: ReadReport;
  try {
    report = await readTable(progress.source, (c) => {
      if (out?.closed) throw new PipeClosed();
      if (filter(c)) onConn(c);
    });
  } catch (err) {
    if (err instanceof PipeClosed) await out?.end(); // a failed write (not a reader gone) is reported here
    throw err;
  } finally {
    progress.done();
  }
  const skipped = skippedMessage(report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
  return report;
}

/**
 * A scan job over the whole table (in parallel when it pays, see run-scan.ts): its
 * ordered output goes to `out` (if any), the skipped-lines line to stderr; a closed stdout ends it.
 */
export async function scanJob<P, S>(
  source: ReadOptions, spec: JobSpec<P, S>, out: Output | undefined, machineOutput = false, workers?: number,
): Promise<ScanRun<S>> {
  const progress = withProgress(source, machineOutput);
  let run: ScanRun<S>;
  try {
    // (no output: a job that writes nothing, as top's reading)
    run = await runScan(progress.source, spec, out === undefined ? { emit: () => undefined, workers } : {
      emit: (text) => out.write(text),
      emitBytes: (bytes) => out.writeBytes(bytes),
      sink: out,
      drained: () => out.flush(),
      shouldStop: () => out.closed,
      workers,
    });
  } finally {
    progress.done();
  }
  if (run.stopped && out !== undefined) {
    // the output closed: a write that failed (a full disk) is reported by end(), a reader that
    // went away (| head) ends us quietly
    await out.end();
    throw new PipeClosed();
  }
  const skipped = skippedMessage(run.report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
  return run;
}
