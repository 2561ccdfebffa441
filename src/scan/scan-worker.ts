// A scan worker: gets whole-line batches of the table from run-scan.ts, parses them with the
// same line handler as a single-threaded read, feeds its job instance, and answers each chunk
// with its counts and the text the job emitted for it (so the main thread can write output in
// input order). On "end" it sends the job's result and exits.

import { parentPort, workerData } from 'node:worker_threads';
import type { JobName } from './job.js';
import { batchParser } from './batch-parser.js';
import { JOBS } from './registry.js';

export interface WorkerInit {
  name: JobName;
  params: unknown;
  /** ScanControl.keepsOutput */
  keptOutput: boolean;
}

export type ToWorker =
  | {
    type: 'batch'; seq: number; buffer: ArrayBuffer; length: number;
    /** output buffers of earlier answers, written out: the worker refills them */
    recycled: ArrayBuffer[];
  }
  | { type: 'end' };

export type FromWorker =
  | {
    type: 'batch'; seq: number; lines: number; records: number; skipped: number; firstSkippedLine: number | undefined;
    cutOff: boolean; unknownNames: Map<string, number> | undefined;
    output: Uint8Array;
    /** the batch's buffer, handed back for reuse (memory stays a few batches, whatever the table size) */
    buffer: ArrayBuffer | undefined;
  }
  | { type: 'result'; part: unknown }
  | { type: 'error'; message: string; code: string | undefined; exitCode: number | undefined };

const port = parentPort!;
const init = workerData as WorkerInit;

try {
  const job = JOBS[init.name];
  const parser = batchParser(job, init.params, init.keptOutput);

  port.on('message', (msg: ToWorker) => {
    try {
      if (msg.type === 'batch') {
        for (const ab of msg.recycled) parser.recycle(ab);
        const answer: FromWorker = { type: 'batch', seq: msg.seq, ...parser.parse(Buffer.from(msg.buffer, 0, msg.length)), buffer: msg.buffer };
        const transfer: ArrayBuffer[] = [msg.buffer];
        // the output is a buffer of its own (or the shared empty one): handed over, not copied,
        // and it comes back in a later chunk message for reuse
        if (answer.output.byteLength > 0) transfer.push(answer.output.buffer as ArrayBuffer);
        port.postMessage(answer, transfer);
      } else {
        const answer: FromWorker = { type: 'result', part: job.toPart(parser.instance.state) };
        port.postMessage(answer);
        port.close();
      }
    } catch (err) {
      fail(err);
    }
  });
} catch (err) {
  fail(err);
}

function fail(err: unknown): void {
  const e = err as { message?: string; code?: string; exitCode?: number };
  const answer: FromWorker = { type: 'error', message: e?.message ?? String(err), code: e?.code, exitCode: e?.exitCode };
  port.postMessage(answer);
  port.close();
}
