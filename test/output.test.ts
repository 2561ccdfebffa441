import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createOutput } from '../src/output.js';
import { CLI, PINNED_ENV, fixture } from './helpers/cli.js';

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

// a write that fails for another reason than a closed pipe is one sentence and exit 1
test('a full disk (/dev/full) is one sentence and exit 1 for every command that prints, never a stack trace', { skip: existsSync('/dev/full') ? false : 'needs /dev/full' }, () => {
  const table = fixture('nat-router/proc_nf_conntrack.txt');
  const commands = [
    ['list', '--json', '--file', table],
    ['list', '--ndjson', '--file', table],
    ['list', '--file', table],
    ['flows', '-n', '--json', '--file', table],
    ['stats', '--json', '--file', table],
    ['protocols', '--file', table],
    ['top', '--once', '--file', table],
    ['watch', '--file', fixture('nat-router/events_E_o_timestamp.txt')],
  ];
  const full = openSync('/dev/full', 'w');
  try {
    const got = commands.map((args) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', full, 'pipe'], env: { ...PINNED_ENV }, encoding: 'utf8' });
      return [args.join(' '), r.status, r.stderr];
    });
    assert.deepStrictEqual(got, commands.map((args) => [args.join(' '), 1, 'ctflow: cannot write the output: no space left on device\n']));
  } finally {
    closeSync(full);
  }
});
