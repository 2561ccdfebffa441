import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { ByteLineSplitter, LineSplitter } from '../../src/source/line-splitter.js';

function split(chunks: string[], maxLine = 100): (string | null)[] {
  const out: (string | null)[] = [];
  const s = new LineSplitter({ line: (l) => out.push(l), overlong: () => out.push(null) }, maxLine);
  for (const c of chunks) s.push(Buffer.from(c, 'latin1'));
  s.end();
  return out;
}

describe('LineSplitter', () => {
  it('joins a line split across chunks', () => {
    assert.deepEqual(split(['ab', 'c\nde', 'f\n']), ['abc', 'def']);
  });
  it('delivers a last line with no newline', () => {
    assert.deepEqual(split(['a\nb']), ['a', 'b']);
  });
  it('leaves a CR for the parser and keeps empty lines', () => {
    assert.deepEqual(split(['a\r\n\nb\r\n']), ['a\r', '', 'b\r']);
  });
  it('reports an overlong line once and resumes at the next newline', () => {
    const long = 'x'.repeat(150);
    assert.deepEqual(split([`ok\n${long}\nnext\n`]), ['ok', null, 'next']);
    assert.deepEqual(split(['ok\n', 'x'.repeat(80), 'x'.repeat(80), 'x'.repeat(80), '\nnext\n']), ['ok', null, 'next']);
  });
  it('reads bytes as UTF-8, so binary input becomes a line (U+FFFD where it is not UTF-8), not an exception', () => {
    assert.deepEqual(split(['\u00ff\u0000\n']), ['\ufffd\u0000']);
  });
});

// ByteLineSplitter: the same cutting without a string per line (the fast path's splitter)

const OVERLONG = Symbol('overlong');

function viaBytes(chunks: Buffer[], max: number): Array<string | symbol> {
  const out: Array<string | symbol> = [];
  const s = new ByteLineSplitter({ line: (b, from, to) => out.push(b.toString('latin1', from, to)), overlong: () => out.push(OVERLONG) }, max);
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

function viaText(chunks: Buffer[], max: number): Array<string | symbol> {
  const out: Array<string | symbol> = [];
  const s = new LineSplitter({ line: (t) => out.push(t), overlong: () => out.push(OVERLONG) }, max);
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

const cut = (text: string, at: number[]): Buffer[] => {
  const buf = Buffer.from(text, 'latin1');
  const points = [...new Set(at.map((a) => a % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
};

test('cuts lines split across chunks, a last line without newline, CRLF and empty lines', () => {
  assert.deepStrictEqual(viaBytes(cut('ab\ncd\r\n\nlast', [1, 4, 5]), 100), ['ab', 'cd\r', '', 'last']);
});

test('reports an overlong line once, even across chunks, and goes on after it', () => {
  assert.deepStrictEqual(viaBytes(cut('ok\n0123456789abc\nnext\n', [5, 8, 11]), 8), ['ok', OVERLONG, 'next']);
  assert.deepStrictEqual(viaBytes([Buffer.from('0123456789')], 8), [OVERLONG]);
});

test('gives the same lines as the text splitter for any input and any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', 'b', ' ', '\n', '\r', '\n\n', 'xyz'), { maxLength: 40 }).map((xs) => xs.join('')),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.integer({ min: 1, max: 12 }),
      (text, at, max) => {
        const chunks = cut(text, at);
        assert.deepStrictEqual(viaBytes(chunks, max), viaText(chunks, max));
      },
    ),
    { numRuns: 2000, seed: 6 },
  );
});
