import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createOutput } from '../src/output.js';

test('bytes written after text come out after it, in order', async () => {
  const stream = new PassThrough();
  const got: Buffer[] = [];
  stream.on('data', (d: Buffer) => got.push(d));
  const out = createOutput(stream);
  out.write('a\n');
  out.writeBytes(Buffer.from('b\n'));
  out.write('c\n');
  await out.end();
  assert.equal(Buffer.concat(got).toString(), 'a\nb\nc\n');
});

test('record bytes written into the sink buffer come out between texts, for a stream that keeps buffers', async () => {
  const stream = new PassThrough();
  const got: Buffer[] = [];
  stream.on('data', (d: Buffer) => got.push(d));
  const out = createOutput(stream);
  for (let i = 0; i < 3000; i++) {
    out.write(`t${i}\n`);
    out.reserve(200);
    out.pos += out.buf.write(`b${i}\n`.padStart(150, '.'), out.pos, 'latin1');
  }
  await out.end();
  let want = '';
  for (let i = 0; i < 3000; i++) want += `t${i}\n` + `b${i}\n`.padStart(150, '.');
  assert.equal(Buffer.concat(got).toString(), want);
});

test('with reuse, a buffer the stream let go of is refilled and output stays in order', async () => {
  const stream = new PassThrough();
  const got: string[] = [];
  // a reader that copies at once, like a synchronous write to a file
  stream.write = ((chunk: Buffer) => {
    got.push(Buffer.from(chunk).toString());
    return true;
  }) as typeof stream.write;
  const out = createOutput(stream, true);
  const text = 'x'.repeat(100_000);
  for (let i = 0; i < 20; i++) {
    out.write(`${i}:`);
    out.write(text);
  }
  assert.equal(out.writeBytes(Buffer.from('end\n')), true);
  await out.end();
  let want = '';
  for (let i = 0; i < 20; i++) want += `${i}:${text}`;
  assert.equal(got.join(''), `${want}end\n`);
});
