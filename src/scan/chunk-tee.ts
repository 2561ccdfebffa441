// The chunks of one read handed on to a second reader as they come, so that two scans read a
// source once (a file, a pipe and the kernel's table alike): `put` gives the second reader a
// chunk and resolves once that reader asks for the next one, so the first may then reuse the
// chunk's buffer. A second reader that stops early stops taking chunks; the first reads on.

export class ChunkTee implements AsyncIterable<Buffer> {
  private chunk: Buffer | undefined;
  private ended = false;
  private closed = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  /** Hands `chunk` to the second reader; resolves once it is done with it (or gone). */
  async put(chunk: Buffer): Promise<void> {
    if (this.closed) return;
    this.chunk = chunk;
    this.wake('reader');
    await new Promise<void>((resolve) => {
      this.wakeWriter = resolve;
    });
  }

  /** No more chunks: the second reader's read ends. */
  end(): void {
    this.ended = true;
    this.wake('reader');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        while (this.chunk === undefined && !this.ended) {
          await new Promise<void>((resolve) => {
            this.wakeReader = resolve;
          });
        }
        const chunk = this.chunk;
        if (chunk === undefined) return;
        this.chunk = undefined;
        yield chunk;
        // asked for the next chunk: done with this one
        this.wake('writer');
      }
    } finally {
      this.closed = true;
      this.wake('writer');
    }
  }

  private wake(who: 'reader' | 'writer'): void {
    const resolve = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = undefined;
    else this.wakeWriter = undefined;
    resolve?.();
  }
}

/** `chunks`, each handed to `tee` before it is yielded; the tee ends when they do (or the read stops). */
export async function* teed(chunks: AsyncIterable<Buffer>, tee: ChunkTee): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of chunks) {
      await tee.put(chunk);
      yield chunk;
    }
  } finally {
    tee.end();
  }
}
