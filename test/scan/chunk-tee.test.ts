import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkTee, teed } from '../../src/scan/chunk-tee.js';

/** Chunks in one buffer refilled for each (as openSource's with `reuse`). */
async function* refilled(texts: string[]): AsyncGenerator<Buffer> {
  const buf = Buffer.alloc(16);
  for (const t of texts) {
    buf.fill(0);
    const n = buf.write(t);
    yield buf.subarray(0, n);
  }
}

describe('ChunkTee: one read, two readers', () => {
  it('both readers see every chunk, in order, before the buffer is refilled', async () => {
    const texts = ['alpha\n', 'bravo\n', 'charlie\n', 'delta\n'];
    const tee = new ChunkTee();
    const second: string[] = [];
    const reading = (async () => {
      for await (const chunk of tee) {
        // the second reader is slow: the first must not refill the buffer meanwhile
        await new Promise((r) => setTimeout(r, 5));
        second.push(chunk.toString());
      }
    })();
    const first: string[] = [];
    for await (const chunk of teed(refilled(texts), tee)) first.push(chunk.toString());
    await reading;
    assert.deepEqual(first, texts);
    assert.deepEqual(second, texts);
  });

  it('a second reader that stops early does not hold the first back', async () => {
    const tee = new ChunkTee();
    const second: string[] = [];
    const reading = (async () => {
      for await (const chunk of tee) {
        second.push(chunk.toString());
        break;
      }
    })();
    const first: string[] = [];
    for await (const chunk of teed(refilled(['a', 'b', 'c']), tee)) first.push(chunk.toString());
    await reading;
    assert.deepEqual(first, ['a', 'b', 'c']);
    assert.deepEqual(second, ['a']);
  });

  it('a first read that stops early ends the second', async () => {
    const tee = new ChunkTee();
    const second: string[] = [];
    const reading = (async () => {
      for await (const chunk of tee) second.push(chunk.toString());
    })();
    for await (const chunk of teed(refilled(['a', 'b', 'c']), tee)) {
      if (chunk.toString() === 'b') break;
    }
    await reading;
    assert.deepEqual(second, ['a', 'b']);
  });
});
