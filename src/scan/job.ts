// What a command does with the records of one scan, written so it can run in this thread or in
// scan workers at once (run-scan.ts). A job is named in registry.ts (a name and plain-data params
// can cross into a worker, a closure cannot; and in the bundled CLI every module's URL is the
// bundle's). Each thread makes one instance with `create`; a worker's instance leaves it as
// plain data (`toPart`), which this thread's instance then `absorb`s. Absorbing must not depend
// on which part finished first: the result is the state of this thread's instance.

import type { OnConn, OnScan } from '../parse/conn-records.js';
import type { ByteSink } from '../source/byte-sink.js';

export type JobName = 'conn-table' | 'flows' | 'list' | 'stats' | 'store-rows';

export interface JobInstance<S> {
  /** one record, in input order within this instance's part, and the line it was read from (OnConn) */
  conn: OnConn;
  /**
   * one line the fast path read, when the job can use it without a record (flows, stats):
   * read it before returning, the scan is overwritten by the next line
   */
  scanned?: OnScan | undefined;
  /** what the instance has gathered (an aggregator, a heap): the scan's result in this thread */
  state: S;
  /**
   * a batch read whole instead of line by line, for rows the job made itself rather than table
   * lines (a sorted table's cell rows laid out): nothing is parsed, and no line counts as a record
   * or a skip. Its source must hand out whole lines (a store's gathered rows do).
   */
  batch?: ((buf: Buffer) => void) | undefined;
  /**
   * true when the source is a sorted store's rows (aggregate/conn-store.ts `lines`), which may be
   * packed scans: read with storedRowSink (parse/conn-records.ts) instead of as table lines
   */
  storedRows?: boolean | undefined;
}

/**
 * `emit` is ordered output: text emitted for a part is written after all text of the parts
 * before it, exactly as one thread reading the whole input would have written it.
 */
export interface Job<P, S, Part> {
  create(params: P, emit: (text: string) => void, sink: ByteSink): JobInstance<S>;
  /** a worker's state as plain data (structured-cloned out of the worker) */
  toPart(state: S): Part;
  /** a worker's part added into this thread's state */
  absorb(into: S, part: Part): void;
}

/** One scan to run: which job, its params, and how it runs best. */
export interface JobSpec<P, S> {
  /**
   * what a worker is told to run (registry.ts); undefined for a job that runs in this thread only
   * (its state holds what cannot cross into a worker: closures, zones, a store in input order)
   */
  name: JobName | undefined;
  /** what this thread runs */
  job: Job<P, S, unknown>;
  params: P;
  /**
   * bytes of table per batch, when not the default 1 MB: a job with much output per input byte
   * (NDJSON: ~3.2×) keeps less in flight with smaller batches
   */
  batchBytes?: number | undefined;
  /**
   * bytes of table in flight per worker, when not run-scan.ts's IN_FLIGHT_BYTES: a job whose
   * output this thread has work with (a store's rows) keeps its worker busy with more
   */
  inFlightBytes?: number | undefined;
  /**
   * true for a job with little work a line besides the parse (counting from the scan, a bounded
   * top-k): on two cores it runs in one thread (see workerCount in run-scan.ts)
   */
  parseBound?: boolean | undefined;
}

/**
 * A job for this thread only, made of a closure over what it keeps (no name: never sent to a
 * worker, so nothing is ever absorbed into it).
 */
export function threadJob<S>(create: (emit: (text: string) => void, sink: ByteSink) => JobInstance<S>): JobSpec<undefined, S> {
  return { name: undefined, params: undefined, job: { create: (_, emit, sink) => create(emit, sink), toPart: () => undefined, absorb: () => undefined } };
}
