// A control character in a key (or a [FLAG], or the protocol name) makes a line unparseable; in a
// value it is kept, for the outputs to escape. Hand-written from real fixture lines: the kernel
// prints no such line on demand.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseEventLine } from '../../src/parse/event-line.js';
import { DESTROY_EVENT, FTP_LINE, UNKNOWN_LINE, withField } from '../helpers/edge-lines.js';

describe('control characters in conntrack lines', () => {
  it('refuses a line with one in a key, a [FLAG] or the protocol name; keeps one in a value', () => {
    const c = parseConnLine(`${withField(FTP_LINE.replace('helper=ftp', 'helper=f\x1b\x07\x7fp'), 'note=a\x1b[31mb')} labels=x\x9by`);
    assert.deepStrictEqual([c?.helper, c?.extra, c?.labels], ['f\x1b\x07\x7fp', { note: 'a\x1b[31mb' }, ['x\x9by']]);
    assert.notEqual(parseConnLine(UNKNOWN_LINE), undefined);
    const bad = [
      withField(FTP_LINE, 'no\x00te=1'), // NUL
      withField(FTP_LINE, '\x1b[31m=1'), // ESC
      withField(FTP_LINE, 'note\x7f=1'), // DEL
      withField(FTP_LINE, 'no\u0085te=1'), // a C1 control (NEL), as UTF-8 decodes c2 85
      FTP_LINE.replace('helper=', 'hel\tper='), // TAB inside a key
      FTP_LINE.replace('[ASSURED]', '[ASS\x07URED]'),
      FTP_LINE.replace('[ASSURED]', '[ASSURED] [\x1b]'),
      UNKNOWN_LINE.replace('unknown', 'unk\x1bnown'),
    ];
    assert.deepStrictEqual(bad.map((l) => parseConnLine(l)), bad.map(() => undefined));
  });

  it('refuses an event whose [USERSPACE] suffix has one in a key, and keeps one in progname', () => {
    assert.equal(parseEventLine(DESTROY_EVENT)?.userspace?.progname, 'conntrack');
    assert.equal(parseEventLine(DESTROY_EVENT.replace('progname=conntrack', 'progname=con\x1btrack'))?.userspace?.progname, 'con\x1btrack');
    assert.equal(parseEventLine(DESTROY_EVENT.replace('progname=', 'prog\x1bname=')), undefined);
    assert.equal(parseEventLine(DESTROY_EVENT.replace('progname=conntrack', 'progname=conntrack \x07')), undefined);
  });
});
