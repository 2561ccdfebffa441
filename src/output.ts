// The one output sink: collects small writes in one reused byte buffer (a million NDJSON lines
// must not be a million syscalls, nor a million strings), respects backpressure, and treats a
// closed pipe (`ctflow … | head`) as a normal end: it stops writing and reports `closed` instead
// of throwing. Record writers (render/conn-json-bytes.ts) fill `buf` from `pos` directly.

import type { Writable } from 'node:stream';
import { CtflowError } from './errors.js';
import type { ByteSink } from './source/byte-sink.js';

/** how a command prints what it read */
export type OutputFormat = 'table' | 'json' | 'ndjson' | 'csv';

export interface Output extends ByteSink {
  write(text: string): void;
  /**
   * already-encoded UTF-8 output (scan workers' NDJSON), after anything written before it.
   * Returns true when the stream is done with `bytes` (the caller may reuse their memory).
   */
  writeBytes(bytes: Buffer): boolean;
  /** wait until buffered text is handed to the stream (and drained when it asked us to wait) */
  flush(): Promise<void>;
  end(): Promise<void>;
  readonly closed: boolean;
}

/** Bytes collected before one write to the stream. */
const HIGH_WATER = 256 * 1024;

/**
 * `reuse`: the stream is done with a buffer once write() returns with nothing queued — true of
 * process.stdout (files and pipes are written synchronously on Linux) but not of a PassThrough,
 * whose reader gets the very buffer later; other streams always get fresh buffers.
 */
export function createOutput(stream: Writable = process.stdout, reuse = stream === process.stdout): Output {
  let closed = false;
  let waiting: Promise<void> | undefined;
  /** a write that failed for another reason than a reader going away (a full disk, /dev/full) */
  let failure: NodeJS.ErrnoException | undefined;

  stream.on('error', (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') failure ??= err;
  });
  /**
   * end() reports a failed write as one sentence (exit 1), never as a stack trace; until then the
   * output counts as closed, so a long-running command stops writing
   */
  const failed = (): void => {
    if (failure === undefined) return;
    const reason = failure.code === 'ENOSPC' ? 'no space left on device' : failure.message;
    throw new CtflowError(`ctflow: cannot write the output: ${reason}`, { code: failure.code ?? 'EWRITE' });
  };

  /** Hands `data` to the stream; true when the stream no longer holds it (written at once). */
  const send = (data: Buffer): boolean => {
    if (!stream.write(data) && waiting === undefined) {
      waiting = new Promise<void>((resolve) => {
        const done = (): void => {
          stream.off('drain', done);
          stream.off('close', done);
          waiting = undefined;
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
      });
    }
    // stdout to a file or a pipe writes synchronously on Linux: nothing is left queued, and the
    // buffer can be refilled; anything else keeps it until written, so it must not be touched
    return reuse && stream.writableLength === 0;
  };

  const out: Output = {
    buf: Buffer.allocUnsafeSlow(HIGH_WATER * 2),
    pos: 0,
    get closed() {
      return closed;
    },
    reserve(n: number) {
      if (out.pos + n <= out.buf.length) return;
      push();
      if (n > out.buf.length) out.buf = Buffer.allocUnsafeSlow(n);
    },
    write(text: string) {
      if (closed) return;
      if (text.length * 3 > HIGH_WATER) {
        push();
        send(Buffer.from(text, 'utf8'));
        return;
      }
      out.reserve(text.length * 3);
      out.pos += out.buf.write(text, out.pos, 'utf8');
      if (out.pos >= HIGH_WATER) push();
    },
    writeBytes(bytes: Buffer) {
      if (closed) return true;
      push();
      return send(bytes);
    },
    async flush() {
      push();
      if (waiting) await waiting;
    },
    async end() {
      push();
      if (waiting) await waiting;
      // the stream reports a failed write on a later tick: let it
      await new Promise<void>((resolve) => setImmediate(resolve));
      failed();
    },
  };

  /** Sends what `buf` holds; the buffer is reused when the stream let go of it. */
  const push = (): void => {
    if (out.pos === 0) return;
    if (closed) {
      out.pos = 0;
      return;
    }
    const data = out.buf.subarray(0, out.pos);
    out.pos = 0;
    if (!send(data)) out.buf = Buffer.allocUnsafeSlow(out.buf.length);
  };

  return out;
}
