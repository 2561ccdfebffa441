// The one output sink: buffers small writes into large ones (a million NDJSON lines must not be
// a million syscalls), respects backpressure, and treats a closed pipe (`ctflow … | head`) as a
// normal end: it stops writing and reports `closed` instead of throwing.

import type { Writable } from 'node:stream';

export interface Output {
  write(text: string): void;
  /** wait until buffered text is handed to the stream (and drained when it asked us to wait) */
  flush(): Promise<void>;
  end(): Promise<void>;
  readonly closed: boolean;
}

const HIGH_WATER = 64 * 1024;

export function createOutput(stream: Writable = process.stdout): Output {
  let buffer = '';
  let closed = false;
  let waiting: Promise<void> | undefined;

  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw err;
  });

  const push = (): void => {
    if (closed || buffer === '') return;
    const text = buffer;
    buffer = '';
    if (!stream.write(text) && waiting === undefined) {
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
  };

  return {
    get closed() {
      return closed;
    },
    write(text: string) {
      if (closed) return;
      buffer += text;
      if (buffer.length >= HIGH_WATER) push();
    },
    async flush() {
      push();
      if (waiting) await waiting;
    },
    async end() {
      push();
      if (waiting) await waiting;
    },
  };
}
