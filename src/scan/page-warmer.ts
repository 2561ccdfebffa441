// Memory a big store is about to fill, made ready on the other core, when this thread fills it
// (a zone filter lives in this thread only: commands/list.ts). The store keeps every record's
// row (aggregate/conn-store.ts), and the kernel hands out each fresh page of it on first write:
// on this kind of VM, copying 230 MB of lines into new memory took 0.54 s where the same copy
// into pages already touched took 0.13 s. A helper thread allocates the store's chunks, touches
// one byte of each page (the kernel maps it in then) and transfers them (not shared: a copy out
// of shared memory is slower, and the sorted list copies every row out again), a few ahead of
// the store: the faults are taken while this thread parses, and at most AHEAD chunks are ever
// made and not used (a filter may keep few lines). Not when the store-rows job fills the store
// on every core (scan/store-rows-job.ts): its rows come as the workers' output buffers.

import type { Worker } from 'node:worker_threads';

/** chunks made ahead of the store's use */
const AHEAD = 2;

const CODE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ size, count }) => {
  for (let k = 0; k < count; k++) {
    const memory = new ArrayBuffer(size);
    const bytes = new Uint8Array(memory);
    for (let i = 0; i < size; i += 4096) bytes[i] = 0;
    parentPort.postMessage(memory, [memory]);
  }
});
`;

export class PageWarmer {
  private readonly ready: Buffer[] = [];

  private constructor(private readonly worker: Worker, private readonly size: number) {
    worker.on('message', (memory: ArrayBuffer) => this.ready.push(Buffer.from(memory)));
    // a helper that fails costs only its speed: the store allocates its own chunks
    worker.on('error', () => undefined);
    worker.unref();
    worker.postMessage({ size, count: AHEAD });
  }

  /** A warmer of `size`-byte chunks (worker_threads is loaded only here). */
  static async start(size: number): Promise<PageWarmer> {
    const { Worker } = await import('node:worker_threads');
    return new PageWarmer(new Worker(CODE, { eval: true }), size);
  }

  /** A chunk of the warmer's size whose pages are mapped, or undefined when none is ready. */
  readonly take = (): Buffer | undefined => {
    const chunk = this.ready.shift();
    if (chunk !== undefined) this.worker.postMessage({ size: this.size, count: 1 });
    return chunk;
  };

  /** Ends the helper; chunks made and not taken are freed. */
  async stop(): Promise<void> {
    this.ready.length = 0;
    await this.worker.terminate();
  }
}
