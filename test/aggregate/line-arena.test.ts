import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineArena } from '../../src/aggregate/line-arena.js';

/** Row r's text. */
const text = (arena: ReturnType<LineArena['sealed']>, r: number): string => arena.row(r, (buf, start, end) => buf.toString('utf8', start, end));

async function gathered(arena: ReturnType<LineArena['sealed']>, order: Uint32Array, from: number, to: number): Promise<{ bytes: number; text: string; batches: number }> {
  const rows = arena.gather(order, from, to);
  let out = '';
  let batches = 0;
  for await (const batch of rows.chunks) {
    out += batch.toString('utf8');
    batches++;
  }
  return { bytes: rows.bytes, text: out, batches };
}

describe('LineArena: rows kept in order, read back in any order', () => {
  // rows of 1 to 300 bytes: the first chunks (64 KB and up) fill, and rows fall across their ends
  const rows = Array.from({ length: 5000 }, (_, i) => `row ${i} ${'é·'.repeat(i % 100)}`);

  it('keeps rows one at a time (copied) or many from one buffer (not copied), the same way, across chunks and pages', () => {
    const one = new LineArena(0, 7);
    for (const r of rows) {
      const b = Buffer.from(`>${r}<`);
      one.keep(b, 1, b.length - 1);
    }
    const many = new LineArena(100, 16);
    const all = Buffer.from(rows.map((r) => `${r}\n`).join(''));
    // in uneven pieces of whole rows, and a last row without a newline, which is not kept
    for (let start = 0, k = 1; start < all.length; k = (k * 7) % 13 + 1) {
      let end = start;
      for (let n = 0; n < k && end < all.length; n++) end = all.indexOf(10, end) + 1;
      many.keepChunk(all.subarray(start, end));
      start = end;
    }
    many.keepChunk(Buffer.from('no newline'));
    for (const arena of [one.sealed(), many.sealed()]) {
      assert.equal(arena.length, rows.length);
      assert.deepStrictEqual(Array.from({ length: rows.length }, (_, r) => text(arena, r)), rows);
    }
  });

  it('keeps the rows of a buffer given up to it without a copy, between rows it copies', () => {
    const arena = new LineArena();
    const given = Buffer.from('c\nd\nno newline');
    const ab = Buffer.from('a\nb\n');
    arena.keep(ab, 0, 1);
    arena.keep(ab, 2, 3);
    arena.keepChunk(given);
    arena.keep(Buffer.from('e'), 0, 1);
    arena.keepChunk(Buffer.from('f\n'));
    const sealed = arena.sealed();
    assert.deepStrictEqual(Array.from({ length: sealed.length }, (_, r) => text(sealed, r)), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.equal(sealed.row(2, (buf) => buf), given, 'the very buffer given');
  });

  it('keeps a row written in place (room, keepWritten), and with pairs only the second row of each two', () => {
    const arena = new LineArena();
    for (const row of ['one', 'two', 'x'.repeat(70_000), 'four']) {
      const room = arena.room(row.length);
      const at = arena.roomAt;
      arena.keepWritten(at + room.write(row, at));
    }
    const seen: string[] = [];
    arena.keepChunk(Buffer.from('key a\nshown a\nkey b\nshown b\nkey c\nno newline'), true, (buf, start, end) => seen.push(buf.toString('latin1', start, end)));
    // every newline-ended row shown in order, kept or not
    assert.deepStrictEqual(seen, ['key a', 'shown a', 'key b', 'shown b', 'key c']);
    arena.keep(Buffer.from('last'), 0, 4);
    const sealed = arena.sealed();
    assert.deepStrictEqual(Array.from({ length: sealed.length }, (_, r) => text(sealed, r)), ['one', 'two', 'x'.repeat(70_000), 'four', 'shown a', 'shown b', 'last']);
  });

  it('a row longer than a chunk gets a chunk of its own; a buffer too big to place in is copied row by row', () => {
    const arena = new LineArena();
    const long = 'x'.repeat(200_000);
    for (const row of ['a', long, 'b']) arena.keep(Buffer.from(row), 0, row.length);
    // (17 MB: over the 16 MB a place can point into)
    const huge = Buffer.alloc(17 << 20, 0x79);
    huge[0] = 10;
    huge[huge.length - 1] = 10;
    arena.keepChunk(huge);
    const sealed = arena.sealed();
    assert.deepStrictEqual([0, 1, 2, 3].map((r) => text(sealed, r)), ['a', long, 'b', '']);
    assert.equal(sealed.length, 5);
    assert.equal(sealed.row(4, (_buf, start, end) => end - start), huge.length - 2);
    assert.notEqual(sealed.row(4, (buf) => buf), huge, 'copied, not kept');
  });

  it('gathers the rows of an order, each ended by a newline, in batches of whole rows', async () => {
    const arena = new LineArena();
    arena.keepChunk(Buffer.from(rows.map((r) => `${r}\n`).join('')));
    const sealed = arena.sealed();
    const order = Uint32Array.from(rows.map((_, i) => (i * 3001) % rows.length));
    const want = Array.from(order, (r) => `${rows[r]}\n`);
    const all = await gathered(sealed, order, 0, order.length);
    assert.equal(all.text, want.join(''));
    assert.equal(all.bytes, Buffer.byteLength(all.text));
    assert.ok(all.batches > 1, 'more than one batch');
    const part = await gathered(sealed, order, 10, 13);
    assert.deepStrictEqual(part, { bytes: Buffer.byteLength(want.slice(10, 13).join('')), text: want.slice(10, 13).join(''), batches: 1 });
    assert.deepStrictEqual(await gathered(sealed, order, 5, 5), { bytes: 0, text: '', batches: 0 });
  });
});
