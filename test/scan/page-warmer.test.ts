import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnStore } from '../../src/aggregate/conn-store.js';
import { CHUNK_MAX } from '../../src/aggregate/line-arena.js';
import { connLineSink, emptyReport } from '../../src/parse/conn-records.js';
import { PageWarmer } from '../../src/scan/page-warmer.js';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { fixtureFiles } from '../helpers/fixture-lines.js';

const fixtures = Buffer.concat(fixtureFiles().flatMap((f) => [f.bytes, Buffer.from('\n')]));

/**
 * The records of `table` in the store's order, as their lines read again (JSON of each). Every
 * line is kept by `add`, as its line (addScan would keep most packed, in a quarter of the bytes).
 */
function sortedLines(table: Buffer, warm?: () => Buffer | undefined): string[] {
  const store = new ConnStore(undefined, { warm });
  const splitter = new ByteLineSplitter(connLineSink(emptyReport(), false, store.add));
  splitter.push(table);
  splitter.end();
  const sorted = store.sorted(false);
  return Array.from({ length: sorted.length }, (_, i) => JSON.stringify(sorted.at(i)));
}

describe('PageWarmer: chunks of memory made ready on another thread', () => {
  it('hands out chunks of its size, and none once stopped', async () => {
    const size = 1 << 20;
    const warmer = await PageWarmer.start(size);
    let chunk: Buffer | undefined;
    for (let tries = 0; chunk === undefined && tries < 500; tries++) {
      await new Promise((r) => setTimeout(r, 10));
      chunk = warmer.take();
    }
    assert.equal(chunk?.length, size);
    await warmer.stop();
    assert.equal(warmer.take(), undefined);
  });

  it('a store takes its full-size chunks from it, and sorts exactly as without', () => {
    // enough lines for the arena to grow to full-size chunks
    const copies = Math.ceil((3 * CHUNK_MAX) / fixtures.length);
    const table = Buffer.concat(Array.from({ length: copies }, () => fixtures));
    let asked = 0;
    const warm = (): Buffer => {
      asked++;
      return Buffer.alloc(CHUNK_MAX, 0xff);
    };
    const got = sortedLines(table, warm);
    // ~24 MB of lines: the arena's first chunks grow from 64 KB (64K, 64K, 128K, 384K, 1.5M,
    // 7.5M: ~9.6 MB), then two full-size ones are asked for
    assert.equal(asked, 2);
    assert.deepEqual(got, sortedLines(table));
  });
});
