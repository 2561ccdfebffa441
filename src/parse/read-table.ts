// The table read in this thread: source bytes → lines → records (parse/conn-records.ts), handed
// to `onConn` as they are read, with the report of what could not be read.

import { connLineSink, emptyReport, type ReadReport } from './conn-records.js';
import { ByteLineSplitter } from '../source/line-splitter.js';
import { openSource, type SourceOptions } from '../source/open-source.js';
import type { Conn } from '../model.js';

export type { SourceOptions } from '../source/open-source.js';

export interface ReadOptions extends SourceOptions {
  /** the first unparseable line is fatal */
  strict?: boolean | undefined;
  /** called with the number of bytes read so far (progress display) */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Every entry of the table, parsed, handed to `onConn` as it is read. */
export async function readTable(opts: ReadOptions, onConn: (c: Conn) => void): Promise<ReadReport> {
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
