// What a command does with the records of one scan, written so it can run in this thread or in
// several scan workers at once (parallel-scan.ts). A job is a `createJob` named in
// jobs/job-registry.ts, plus plain-data params: a closure cannot cross into a worker, a name and
// data can (names, not module URLs: in the bundled CLI every module's URL is the bundle's). Each
// part of the input gets its own instance; `merge` (run here) combines their results, so it must
// not depend on which part finished first.

import type { Conn } from '../model.js';
import type { ConnScan } from '../parse/conn-bytes.js';
import type { ByteSink } from './byte-sink.js';
import type { JobName } from '../jobs/job-registry.js';

export interface JobInstance<R> {
  /** one record, in input order within this instance's part */
  conn(c: Conn): void;
  /**
   * one line the fast path read, when the job can use it without a record (flows, stats):
   * read it before returning, the scan is overwritten by the next line
   */
  scanned?: ((s: ConnScan) => void) | undefined;
  /** the instance's result once its input is done (structured-cloned out of a worker) */
  finish(): R;
}

/**
 * `emit` is ordered output: text emitted for a part is written after all text of the parts
 * before it, exactly as one thread reading the whole input would have written it.
 */
export type CreateJob<P, R> = (params: P, emit: (text: string) => void, sink: ByteSink) => JobInstance<R>;

export interface JobSpec<P, R> {
  /** which createJob of jobs/job-registry.ts makes its instances */
  job: JobName;
  params: P;
  /**
   * bytes of table per batch, when not the default 1 MB: a job with much output per input byte
   * (NDJSON: ~3.2×) keeps less in flight with smaller batches
   */
  batchBytes?: number | undefined;
  /**
   * true for a job with little work a line besides the parse (counting from the scan, a bounded
   * top-k): on two cores it runs in one thread (see workerCount in parallel-scan.ts)
   */
  light?: boolean | undefined;
  /** combine the results of every instance (in no particular order) */
  merge(results: R[]): R;
}
