// One batch of whole lines → records for a job instance, with the batch's own counts and the
// text the job emitted for it. Shared by the scan workers and the main thread, which parses
// batches itself whenever every worker already has a full queue.

import type { CreateJob, JobInstance } from './scan-job.js';
import { ByteLineSplitter } from './line-splitter.js';
import { connLineSink, emptyReport } from './read-table.js';

export interface ChunkAnswer {
  lines: number;
  records: number;
  skipped: number;
  /** line number within the batch, from 1 */
  firstSkippedLine: number | undefined;
  /** the job's emitted text for this batch, UTF-8 encoded (empty when it emitted nothing) */
  output: Buffer;
}

export interface ChunkParser<R> {
  parse(buf: Buffer): ChunkAnswer;
  instance: JobInstance<R>;
}

/**
 * Emitted text goes straight into one growing byte buffer: keeping a batch's 17k small strings
 * alive until a join made them survive into the old generation, and collecting them cost more
 * than the parse itself (measured: 15 s of GC for 1.2M NDJSON lines).
 */
export function chunkParser<P, R>(createJob: CreateJob<P, R>, params: P): ChunkParser<R> {
  let out = Buffer.allocUnsafeSlow(1 << 20);
  let used = 0;
  const emit = (text: string): void => {
    // a UTF-16 unit is at most 3 bytes of UTF-8
    if (used + text.length * 3 > out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, used + text.length * 3));
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    used += out.write(text, used, 'utf8');
  };
  const instance = createJob(params, emit);
  const report = emptyReport();
  const sink = connLineSink(report, false, (c) => instance.conn(c));
  return {
    instance,
    parse(buf) {
      report.lines = 0;
      report.records = 0;
      report.skipped = 0;
      report.firstSkippedLine = undefined;
      used = 0;
      const splitter = new ByteLineSplitter(sink);
      splitter.push(buf);
      splitter.end();
      // a copy: the answer may wait for earlier batches while this buffer is refilled
      const output = used === 0 ? EMPTY : Buffer.from(out.subarray(0, used));
      return { lines: report.lines, records: report.records, skipped: report.skipped, firstSkippedLine: report.firstSkippedLine, output };
    },
  };
}

const EMPTY = Buffer.alloc(0);
