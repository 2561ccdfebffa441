import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openSource } from '../../src/source/open-source.js';
import { peekFirstLine } from '../../src/source/peek-source.js';
import { fixture } from '../helpers/cli.js';

const COUNTERS = readFileSync(fixture('nat-router/conntrack_S.txt'));

async function bytesOf(source: Parameters<typeof openSource>[0]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // copied: the chunks may share one buffer
  for await (const chunk of openSource(source)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

test('peekFirstLine: the first non-blank line, from a stream that hands out one byte at a time, and then every byte once', async () => {
  const text = Buffer.concat([Buffer.from('\n  \n'), COUNTERS]);
  const bytes = [...text].map((b) => Buffer.from([b]));
  const { firstLine, source } = await peekFirstLine({ stdin: true, stdinStream: Readable.from(bytes) });
  assert.deepStrictEqual([firstLine, (await bytesOf(source)).toString('latin1')], [
    COUNTERS.toString('latin1').split('\n')[0],
    text.toString('latin1'),
  ]);
});

test('peekFirstLine: a gzip file is looked at unzipped; an empty file has no first line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-peek-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gz = join(dir, 'counters.gz');
  const empty = join(dir, 'empty');
  writeFileSync(gz, gzipSync(COUNTERS));
  writeFileSync(empty, '');
  const zipped = await peekFirstLine({ file: gz });
  const none = await peekFirstLine({ file: empty });
  assert.deepStrictEqual(
    [zipped.firstLine, (await bytesOf(zipped.source)).equals(COUNTERS), none.firstLine, (await bytesOf(none.source)).length],
    [COUNTERS.toString('latin1').split('\n')[0], true, undefined, 0],
  );
});
