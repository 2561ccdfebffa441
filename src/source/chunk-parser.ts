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
  text: string;
}

export interface ChunkParser<R> {
  parse(buf: Buffer): ChunkAnswer;
  instance: JobInstance<R>;
}

export function chunkParser<P, R>(createJob: CreateJob<P, R>, params: P): ChunkParser<R> {
  const texts: string[] = [];
  const instance = createJob(params, (text) => texts.push(text));
  const report = emptyReport();
  const sink = connLineSink(report, false, (c) => instance.conn(c));
  return {
    instance,
    parse(buf) {
      report.lines = 0;
      report.records = 0;
      report.skipped = 0;
      report.firstSkippedLine = undefined;
      const splitter = new ByteLineSplitter(sink);
      splitter.push(buf);
      splitter.end();
      const text = texts.length === 1 ? texts[0]! : texts.join('');
      texts.length = 0;
      return { lines: report.lines, records: report.records, skipped: report.skipped, firstSkippedLine: report.firstSkippedLine, text };
    },
  };
}
