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
