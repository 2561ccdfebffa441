// Runs a scan job over a whole table on more than one core when the table is big enough to pay
// for starting a worker and the job has enough work a line to gain from it (workerCount; the
// figures behind every constant here are in docs/performance.md, "Figures behind src/scan/").
// Parsing is the cost, so the work is shared: this thread reads the source into 1 MB batches
// cut at the last newline and hands each (transferred, not copied) to a worker with room in its queue, or parses the batch itself when every queue is full. Answers
// are put back in input order, so counts, the first skipped line and emitted text come out
// exactly as a single-threaded read would produce them.
//
// Small inputs (under PARALLEL_MIN), --strict (the first bad line must stop everything at once),
// parse-bound jobs on two cores, jobs without a name (this thread only) and CTFLOW_WORKERS=0 run
// the job in this thread alone with the same line handler.
//
// Longer than 250 lines: the ordering, backpressure and shutdown of the workers belong together.

import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CtflowError } from '../errors.js';
import { GrowBuffer, type ByteSink } from '../source/byte-sink.js';
import { ByteLineSplitter, MAX_LINE } from '../source/line-splitter.js';
import { openSource } from '../source/open-source.js';
import { absorbNotes, connLineSink, emptyReport, storedRowSink, type ReadReport } from '../parse/conn-records.js';
import { type ReadOptions } from '../parse/read-table.js';
import { sourceSize } from '../parse/read-progress.js';
import type { JobSpec } from './job.js';
import { batchParser } from './batch-parser.js';
import type { FromWorker, ToWorker, WorkerInit } from './scan-worker.js';

const COUNT_FILE = '/proc/sys/net/netfilter/nf_conntrack_count';

/** Below this many bytes a table is parsed in this thread. */
export const PARALLEL_MIN = 24 * 1024 * 1024;
/**
 * A source of unknown size (a pipe) still coming after this many bytes is shared with workers.
 * Lower than PARALLEL_MIN: until then this thread parses alone, which on a big pipe cost more
 * than a worker started early.
 */
const PIPE_HAND_OVER = 4 * 1024 * 1024;
/** 1 MB: smaller batches keep less in flight (peak RSS) at no measurable cost in time */
const BATCH_BYTES = 1024 * 1024;
/**
 * Table bytes in flight per worker: enough to keep it busy while this thread parses its own
 * batches between event-loop turns (with 2 small batches the worker idled), few enough to bound
 * memory. At least 2 batches.
 */
const IN_FLIGHT_BYTES = 1024 * 1024;
/**
 * The same for the kernel's table, where reading is the slow part: this thread only reads, and
 * the workers parse. When this thread parsed a batch whenever a worker's queue was full, its
 * first batches ran cold (before the JIT had warmed up) while the kernel waited for the next read.
 */
const IN_FLIGHT_BYTES_KERNEL = 16 * 1024 * 1024;

/**
 * A worker's young generation: small, since what a worker keeps lives in its job's state or goes
 * back as output; V8's default semi-spaces were ~25 MB of peak RSS a worker for no gain in time.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

export interface ScanRun<S> {
  /** the state of this thread's job instance, with every worker's part absorbed */
  result: S;
  report: ReadReport;
  /** true when `shouldStop` ended the read early */
  stopped: boolean;
  /** how many workers parsed (0: this thread) */
  workers: number;
}

/** How a scan is split, when not as workerCount and the constants above decide (tests, sorted-list.ts). */
export type ScanTuning = Pick<ScanControl, 'workers' | 'parallelMin' | 'batchBytes'>;

export interface ScanControl {
  /** ordered output of the job */
  emit(text: string): void;
  /**
   * the same output as UTF-8 bytes, when the sink takes them (saves decoding workers' output);
   * true when the sink is done with the bytes and their buffer may be reused
   */
  emitBytes?: ((bytes: Buffer) => boolean) | undefined;
  /** the sink behind `emit`, for jobs that write bytes (in this thread; workers have their own) */
  sink?: ByteSink | undefined;
  /** awaited after each chunk of input: lets a slow reader of our output hold the reading back */
  drained?: (() => Promise<void>) | undefined;
  /** polled between records/batches: stop reading (the reader of our output went away) */
  shouldStop?: (() => boolean) | undefined;
  /** workers to use (default workerCount()) */
  workers?: number | undefined;
  /** tests make these small to see many batches and workers on a small table */
  parallelMin?: number | undefined;
  batchBytes?: number | undefined;
  /**
   * emitBytes keeps every buffer it is given (and returns false): each is made a buffer of just
   * its bytes in the thread that wrote it, not a share of a reused one
   */
  keepsOutput?: boolean | undefined;
}

/**
 * A job's output kept rather than written: each buffer of it goes to `keep`, made just its size
 * in the thread that wrote it, and is never reused.
 */
export function keptOutput(keep: (bytes: Buffer) => void): ScanControl {
  return {
    emit: (text) => keep(Buffer.from(text)),
    emitBytes: (bytes) => {
      keep(bytes);
      return false;
    },
    keepsOutput: true,
  };
}

/**
 * Worker threads to start besides this one (which parses too): CTFLOW_WORKERS when set, else
 * one per extra core, at most one (each worker costs RSS; a second one gained nothing on two
 * cores).
 *
 * A parse-bound job (flows and stats without a filter, list's top-k) gets no worker on two cores:
 * with both cores busy each thread parses slower, so the worker's start, its second state and the
 * absorbing made two threads as slow as one or slower, for more memory. NDJSON (about 3 bytes
 * written per byte read) and jobs that make a record of every line still gain from the second core.
 */
export function workerCount(env: NodeJS.ProcessEnv = process.env, spec: { parseBound?: boolean | undefined } = {}, cores = availableParallelism()): number {
  const set = env.CTFLOW_WORKERS;
  if (set !== undefined && /^\d+$/.test(set)) return Math.min(Number(set), 16);
  if (spec.parseBound === true && cores <= 2) return 0;
  return Math.min(cores - 1, 1);
}

export async function runScan<P, S>(source: ReadOptions, spec: JobSpec<P, S>, control: ScanControl): Promise<ScanRun<S>> {
  const threads = source.strict || spec.name === undefined ? 0 : control.workers ?? workerCount(process.env, spec);
  const parallelMin = control.parallelMin ?? PARALLEL_MIN;
  // every chunk is copied (into a batch) or split before the next is read
  const it = openSource(source, true)[Symbol.asyncIterator]();
  if (threads === 0) return runHere(spec, control, source, it);
  let big = false;
  /** reading the kernel's own table (see IN_FLIGHT_BYTES_KERNEL) */
  let kernel = false;
  // a regular file says its size up front, so workers can start while the first bytes arrive
  if (source.openedBytes !== undefined) {
    big = source.openedBytes >= parallelMin;
    if (!big) return runHere(spec, control, source, it);
  } else if (source.file !== undefined && source.file !== '-' && !source.stdin && !source.exec) {
    const size = await stat(source.file).then((s) => (s.isFile() ? s.size : -1), () => -1);
    big = size >= parallelMin;
    // a small regular file is streamed in this thread
    if (size >= 0 && !big) return runHere(spec, control, source, it);
  } else {
    const bytes = kernelTableBytes(source);
    if (bytes !== undefined) {
      big = bytes >= parallelMin;
      kernel = true;
    }
  }
  const inFlight = kernel ? IN_FLIGHT_BYTES_KERNEL : spec.inFlightBytes ?? IN_FLIGHT_BYTES;
  if (big) return runWorkers(spec, control, source, threads, it, inFlight);
  // a source of unknown size (a pipe, conntrack -L): parsed and written in this thread as it
  // arrives (so NDJSON streams), and only once parallelMin bytes have come and more follow is
  // the rest shared with workers; reading 24 MB ahead before deciding delayed the first output
  // line until then
  const first = await runHere(spec, control, source, it, Math.min(parallelMin, PIPE_HAND_OVER));
  if (first.handOver === undefined) return first;
  return runWorkers(spec, control, source, threads, it, inFlight, first.handOver);
}

/**
 * The kernel's table has no size, but this namespace's entry count says how big it is (an entry
 * prints as ~150–250 bytes): at least this many bytes, or undefined for any other source.
 */
export function kernelTableBytes(source: ReadOptions): number | undefined {
  if (source.file !== undefined || source.stdin || source.exec || source.procPath !== undefined) return undefined;
  try {
    return Number(readFileSync(COUNT_FILE, 'utf8').trim()) * 150 || 0;
  } catch {
    return 0;
  }
}

/**
 * The table's size when known before it is read (a file's; the kernel's from its entry count),
 * when it is big enough for a worker to pay and workers run; else undefined. For the helpers a
 * big read starts beside itself (scan/sorted-list.ts, scan/page-warmer.ts).
 */
export function bigTableBytes(source: ReadOptions, tuning: ScanTuning = {}): number | undefined {
  const size = sourceSize(source) ?? kernelTableBytes(source);
  if (size === undefined || size < (tuning.parallelMin ?? PARALLEL_MIN) || (tuning.workers ?? workerCount()) === 0) return undefined;
  return size;
}

/** Where a scan begun in this thread (runHere) stopped, for runWorkers to go on from. */
interface HandOver<S> {
  /** the counts so far (line numbers go on from them) */
  report: ReadReport;
  /** the state of the instance that read so far */
  result: S;
  /** the start of a line the read cut, or undefined */
  rest: Buffer | undefined;
  /** inside a line already counted as overlong */
  skipping: boolean;
}

/**
 * The scan in this thread. With `handOverAt`, it stops after the chunk that brings the bytes read
 * to that many (when the source has not ended) and returns where it stopped instead of a result.
 */
async function runHere<P, S>(
  spec: JobSpec<P, S>, control: ScanControl, source: ReadOptions, rest: AsyncIterator<Buffer>, handOverAt = Infinity,
): Promise<ScanRun<S> & { handOver?: HandOver<S> }> {
  const { job } = spec;
  // the job writes into the output sink itself, or into a buffer emptied after every chunk
  const own = control.sink === undefined ? new GrowBuffer(1 << 20, control.keepsOutput) : undefined;
  const sink = control.sink ?? own!;
  const instance = job.create(spec.params, control.sink !== undefined ? control.emit : (text) => own!.write(text), sink);
  const flushOwn = (): void => {
    if (own === undefined || own.pos === 0) return;
    const bytes = own.take();
    const done = control.emitBytes ? control.emitBytes(bytes) : (control.emit(bytes.toString('utf8')), true);
    if (done) own.recycle(bytes.buffer as ArrayBuffer);
  };
  const report = emptyReport();
  const lineSink = instance.storedRows === true ? storedRowSink : connLineSink;
  const splitter = new ByteLineSplitter(lineSink(report, Boolean(source.strict), instance.conn, instance.scanned));
  try {
    for (let r = await rest.next(); !r.done; r = await rest.next()) {
      report.bytes += r.value.length;
      if (instance.batch !== undefined) instance.batch(r.value);
      else splitter.push(r.value);
      flushOwn();
      source.onProgress?.(report.bytes);
      await control.drained?.();
      // polled per chunk, as runWorkers does: a reader gone away costs at most one chunk more
      if (control.shouldStop?.()) {
        await rest.return?.();
        return { result: instance.state, report, stopped: true, workers: 0 };
      }
      if (report.bytes >= handOverAt) {
        const { rest: cut, skipping } = splitter.detach();
        return { result: instance.state, report, stopped: false, workers: 0, handOver: { report, result: instance.state, rest: cut, skipping } };
      }
    }
    splitter.end();
    flushOwn();
  } catch (err) {
    flushOwn();
    // close the source (a file handle, a subprocess) whatever ended the read
    await rest.return?.();
    throw err;
  }
  return { result: instance.state, report, stopped: false, workers: 0 };
}

interface Pending {
  resolve(): void;
}

async function runWorkers<P, S>(
  spec: JobSpec<P, S>, control: ScanControl, source: ReadOptions, threads: number, it: AsyncIterator<Buffer>,
  inFlightBytes: number, handOver?: HandOver<S>,
): Promise<ScanRun<S>> {
  // counts go on from the part this thread read first, if any
  const report = handOver?.report ?? emptyReport();
  // a batch holds at least one line of the longest length read (so a batch without a newline is
  // always one overlong line, as the single-threaded splitter would count it)
  const BATCH = Math.max(control.batchBytes ?? spec.batchBytes ?? BATCH_BYTES, MAX_LINE + 2);
  const IN_FLIGHT = Math.max(2, Math.floor(inFlightBytes / BATCH));
  const init: WorkerInit = { name: spec.name!, params: spec.params, keptOutput: Boolean(control.keepsOutput) };
  // (worker_threads is loaded only when workers start: a small table would pay for it at start-up)
  const { Worker } = await import('node:worker_threads');
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: init, resourceLimits: WORKER_LIMITS }));
  const busy = workers.map(() => 0);
  // workers' parts, absorbed into this thread's instance at the end
  const parts: unknown[] = [];
  // this thread parses a batch too whenever every worker's queue is full
  const { job } = spec;
  const here = batchParser(job, spec.params, control.keepsOutput);
  // answers by sequence number, written out in order
  type Answer = Extract<FromWorker, { type: 'batch' }> & { from: number };
  const answers = new Map<number, Answer>();
  // written-out output buffers on their way back to the worker that filled them (index), or to
  // this thread's parser (index `threads`)
  const spent: ArrayBuffer[][] = workers.map(() => []);
  let nextOut = 0;
  let seq = 0;
  let failure: Error | undefined;
  let waiter: Pending | undefined;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.resolve();
  };
  const wait = (): Promise<void> => new Promise<void>((resolve) => { waiter = { resolve }; });

  const drainAnswers = (): void => {
    for (let a = answers.get(nextOut); a !== undefined; a = answers.get(nextOut)) {
      answers.delete(nextOut);
      nextOut++;
      if (a.firstSkippedLine !== undefined && report.firstSkippedLine === undefined) {
        report.firstSkippedLine = report.lines + a.firstSkippedLine;
      }
      report.lines += a.lines;
      report.records += a.records;
      report.skipped += a.skipped;
      absorbNotes(report, a);
      if (a.output.byteLength > 0) {
        const bytes = Buffer.from(a.output.buffer, a.output.byteOffset, a.output.byteLength);
        const done = control.emitBytes ? control.emitBytes(bytes) : (control.emit(bytes.toString('utf8')), true);
        if (done) {
          if (a.from === threads) here.recycle(a.output.buffer as ArrayBuffer);
          else spent[a.from]!.push(a.output.buffer as ArrayBuffer);
        }
      }
    }
  };

  workers.forEach((w, i) => {
    w.on('message', (msg: FromWorker) => {
      if (msg.type === 'batch') {
        busy[i]!--;
        if (msg.buffer !== undefined) free.push(Buffer.from(msg.buffer));
        msg.buffer = undefined;
        answers.set(msg.seq, { ...msg, from: i });
        drainAnswers();
      } else if (msg.type === 'result') {
        parts.push(msg.part);
      } else {
        failure ??= new CtflowError(msg.message, { code: msg.code ?? 'EWORKER', exitCode: msg.exitCode ?? 1 });
      }
      wake();
    });
    w.on('error', (err) => {
      failure ??= new CtflowError(`ctflow: a scan worker failed: ${err.message}`, { code: 'EWORKER' });
      wake();
    });
  });

  /** To the least busy worker with room in its queue, else parsed here and now. */
  const send = async (buffer: Buffer, length: number): Promise<void> => {
    if (failure) throw failure;
    let best = 0;
    for (let i = 1; i < threads; i++) if (busy[i]! < busy[best]!) best = i;
    if (busy[best]! < IN_FLIGHT) {
      busy[best]!++;
      const recycled = spent[best]!;
      spent[best] = [];
      const msg: ToWorker = { type: 'batch', seq: seq++, buffer: buffer.buffer as ArrayBuffer, length, recycled };
      workers[best]!.postMessage(msg, [buffer.buffer as ArrayBuffer, ...recycled]);
      return;
    }
    const answer = here.parse(buffer.subarray(0, length));
    answers.set(seq, { type: 'batch', seq, ...answer, buffer: undefined, from: threads });
    seq++;
    free.push(buffer);
    drainAnswers();
  };

  // batches: whole lines in a buffer of their own (so it can be transferred), reused when the
  // worker hands it back
  const free: Buffer[] = [];
  let batch: Buffer = Buffer.allocUnsafeSlow(BATCH);
  let fill = 0;
  let skipping = handOver?.skipping ?? false; // inside a line longer than a whole batch
  const overlongLine = (): void => {
    answers.set(seq, {
      type: 'batch', seq, lines: 1, records: 0, skipped: 1, firstSkippedLine: 1, cutOff: false, unknownNames: undefined,
      output: new Uint8Array(0), buffer: undefined, from: threads,
    });
    seq++;
    drainAnswers();
  };
  const cut = async (final: boolean): Promise<void> => {
    const last = final ? fill - 1 : batch.lastIndexOf(10, fill - 1);
    if (last < 0) {
      overlongLine();
      fill = 0;
      skipping = true;
      return;
    }
    const next = free.pop() ?? Buffer.allocUnsafeSlow(BATCH);
    const tail = fill - (last + 1);
    batch.copy(next, 0, last + 1, fill);
    const full = batch;
    batch = next;
    fill = tail;
    await send(full, last + 1);
  };
  const add = async (chunk: Buffer): Promise<void> => {
    let off = 0;
    while (off < chunk.length) {
      if (skipping) {
        const nl = chunk.indexOf(10, off);
        if (nl < 0) return;
        skipping = false;
        off = nl + 1;
        continue;
      }
      const n = Math.min(chunk.length - off, BATCH - fill);
      chunk.copy(batch, fill, off, off + n);
      fill += n;
      off += n;
      if (fill === BATCH) await cut(false);
    }
  };

  let stopped = false;
  try {
    if (handOver?.rest !== undefined) await add(handOver.rest);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      report.bytes += r.value.length;
      source.onProgress?.(report.bytes);
      await add(r.value);
      await control.drained?.();
      if (control.shouldStop?.()) {
        stopped = true;
        await it.return?.();
        break;
      }
    }
    if (!stopped) {
      if (fill > 0) await cut(true);
      while (nextOut < seq) {
        if (failure) throw failure;
        if (control.shouldStop?.()) {
          stopped = true;
          break;
        }
        await wait();
      }
    }
    const result = here.instance.state;
    if (stopped) return { result, report, stopped, workers: threads };
    for (const w of workers) w.postMessage({ type: 'end' } satisfies ToWorker);
    while (parts.length < threads) {
      if (failure) throw failure;
      await wait();
    }
    for (const part of parts) job.absorb(result, part);
    // the instance that read before the hand-over (a scan begun in this thread, then shared)
    if (handOver !== undefined) job.absorb(result, job.toPart(handOver.result));
    return { result, report, stopped: false, workers: threads };
  } catch (err) {
    await it.return?.();
    throw err;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
