import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrowBuffer } from '../../src/source/byte-sink.js';

test('GrowBuffer hands out what was written, in its own buffer, and refills a recycled one', () => {
  const sink = new GrowBuffer(8);
  sink.write('héllo, ');
  sink.write('world');
  const first = sink.take();
  assert.equal(first.toString(), 'héllo, world');
  // grown past its size (room for 3 bytes a character: 8 -> 21 -> doubled to 42): the buffer
  // handed out is the whole of it
  assert.equal(first.buffer.byteLength, 42);
  // (the buffer after a take is already made: a recycled one is the one after the next take)
  sink.recycle(first.buffer as ArrayBuffer);
  sink.write('again');
  const second = sink.take();
  sink.write('third');
  const third = sink.take();
  assert.deepEqual([second.toString(), third.toString()], ['again', 'third']);
  assert.notEqual(second.buffer, first.buffer);
  assert.equal(third.buffer, first.buffer, 'the recycled buffer is refilled');
});

test('GrowBuffer, exact: each take is a buffer of just its bytes, and its own buffer is written again', () => {
  const sink = new GrowBuffer(64, true);
  sink.write('one row\n');
  const first = sink.take();
  sink.write('two\n');
  const second = sink.take();
  assert.deepEqual([first.toString(), second.toString()], ['one row\n', 'two\n']);
  assert.deepEqual([first.buffer.byteLength, second.buffer.byteLength], [8, 4]);
  assert.equal(sink.buf.length, 64);
  assert.equal(sink.pos, 0);
});
