import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../src/source/line-splitter.js';

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
  it('reads bytes as latin1, so binary input becomes a line, not an exception', () => {
    assert.deepEqual(split(['\u00ff\u0000\n']), ['\u00ff\u0000']);
  });
});
