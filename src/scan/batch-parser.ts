// One batch of whole lines → records for a job instance, with the batch's own counts and the
// text the job emitted for it. Shared by the scan workers and the main thread, which parses
// batches itself whenever every worker already has a full queue.

import type { Job, JobInstance } from './job.js';
import { GrowBuffer } from '../source/byte-sink.js';
import { ByteLineSplitter } from '../source/line-splitter.js';
import { connLineSink, emptyReport, storedRowSink } from '../parse/conn-records.js';

export interface BatchAnswer {
  lines: number;
  records: number;
  skipped: number;
  /** line number within the batch, from 1 */
  firstSkippedLine: number | undefined;
  /** the batch (the source's last) ended inside its last line */
  cutOff: boolean;
  /** kept entries with a name unknown to this version, by what (ReadReport.unknownNames) */
  unknownNames: Map<string, number> | undefined;
  /**
   * the job's output for this batch, UTF-8 (empty when it emitted nothing), in a buffer of its own
   * (byteOffset 0) that the caller owns until it hands it to `recycle`
   */
  output: Buffer;
}

export interface BatchParser<S> {
  parse(buf: Buffer): BatchAnswer;
  instance: JobInstance<S>;
  /** an answer's output buffer, written out and free again */
  recycle(ab: ArrayBuffer): void;
}

/**
 * Emitted text and bytes go straight into one growing byte buffer: keeping a batch's 17k small
 * strings alive until a join made them survive into the old generation, and collecting them cost
 * more than the parse itself (docs/performance.md). Each answer's output
 * is that buffer itself (no copy); `recycle` gives it back once it has been written out.
 * `keptOutput`: the caller keeps every answer's output (ScanControl.keepsOutput): each is a copy
 * of just its bytes, made here.
 */
export function batchParser<P, S>(job: Job<P, S, unknown>, params: P, keptOutput = false): BatchParser<S> {
  const sink = new GrowBuffer(OUTPUT_BYTES, keptOutput);
  const instance = job.create(params, (text) => sink.write(text), sink);
  const report = emptyReport();
  const lineSink = (instance.storedRows === true ? storedRowSink : connLineSink)(report, false, instance.conn, instance.scanned);
  return {
    instance,
    parse(buf) {
      report.lines = 0;
      report.records = 0;
      report.skipped = 0;
      report.firstSkippedLine = undefined;
      report.cutOff = false;
      report.unknownNames = undefined;
      if (instance.batch !== undefined) {
        instance.batch(buf);
      } else {
        const splitter = new ByteLineSplitter(lineSink);
        splitter.push(buf);
        splitter.end();
      }
      const output = sink.pos === 0 ? EMPTY : sink.take();
      return {
        lines: report.lines, records: report.records, skipped: report.skipped, firstSkippedLine: report.firstSkippedLine,
        cutOff: report.cutOff, unknownNames: report.unknownNames, output,
      };
    },
    recycle: (ab) => sink.recycle(ab),
  };
}

/**
 * NDJSON is ~3.2 bytes a table byte: a 256 KB batch (list-job) fits without growing. Jobs that
 * emit little never fill it.
 */
const OUTPUT_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);
