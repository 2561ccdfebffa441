// The one read of a table in this thread: source bytes → lines → records (parse/conn-records.ts),
// handed to `onConn` as they are read, with the report of what could not be read. Every reader
// in this thread uses it: the commands (through scan/read.ts, which also runs the parallel
// scans), the API (api/handle.ts) and the table changes (kernel/change-table.ts). A command's read
// also asks for what the terminal needs (`forCommand`): a progress line on a big file, an end when
// stdout closed, and the "skipped N unparseable lines" line on stderr.

import { PipeClosed } from '../errors.js';
import type { Conn } from '../model.js';
import type { Output } from '../output.js';
import { connLineSink, emptyReport, skippedMessage, type ReadReport } from './conn-records.js';
import { withProgress } from './read-progress.js';
import { ByteLineSplitter } from '../source/line-splitter.js';
import { openSource, type SourceOptions } from '../source/open-source.js';

export type { SourceOptions } from '../source/open-source.js';

export interface ReadOptions extends SourceOptions {
  /** the first unparseable line is fatal */
  strict?: boolean | undefined;
  /** called with the number of bytes read so far (progress display) */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** What a command's read adds for the terminal. */
export interface CommandRead {
  /** stdout: the read ends (PipeClosed) when its reader went away */
  out?: Output | undefined;
  /** json, ndjson, csv: no progress line when a program reads the output */
  machineOutput: boolean;
}

/** Every entry of the table, parsed, handed to `onConn` as it is read. */
export async function readTable(opts: ReadOptions, onConn: (c: Conn) => void, forCommand?: CommandRead): Promise<ReadReport> {
  if (forCommand === undefined) return readRecords(opts, onConn);
  const { out, machineOutput } = forCommand;
  const progress = withProgress(opts, machineOutput);
  let report: ReadReport;
  try {
    report = await readRecords(progress.source, out === undefined ? onConn : (c) => {
      if (out.closed) throw new PipeClosed();
      onConn(c);
    });
  } catch (err) {
    if (err instanceof PipeClosed) await out?.end(); // a failed write (not a reader gone) is reported here
    throw err;
  } finally {
    progress.done();
  }
  tellSkipped(report);
  return report;
}

/** The "skipped N unparseable lines" line (and the unknown names') on stderr, when there are any. */
export function tellSkipped(report: ReadReport): void {
  const skipped = skippedMessage(report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
}

async function readRecords(opts: ReadOptions, onConn: (c: Conn) => void): Promise<ReadReport> {
  const report = emptyReport();
  const splitter = new ByteLineSplitter(connLineSink(report, Boolean(opts.strict), onConn));
  // the splitter is done with a chunk when push returns, so chunks may share one buffer
  for await (const chunk of openSource(opts, true)) {
    report.bytes += chunk.length;
    splitter.push(chunk);
    opts.onProgress?.(report.bytes);
  }
  splitter.end();
  return report;
}
