// A control character in a key (or a [FLAG], or the protocol name) makes a line unparseable; in a
// value it is kept, for the outputs to escape. Hand-written from real fixture lines: the kernel
// prints no such line on demand.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseEventLine } from '../../src/parse/event-line.js';
import { fixture } from '../helpers/cli.js';

/** conntrack -L's line of the FTP control connection (nat-router), helper=ftp */
const FTP = readFileSync(fixture('nat-router/conntrack_L.txt'), 'utf8').split('\n').find((l) => l.includes('helper=ftp'))!;
/** an untracked protocol's entry (proto-zoo): `unknown  253 …` */
const UNKNOWN = readFileSync(fixture('proto-zoo/conntrack_L.txt'), 'utf8').split('\n').find((l) => l.startsWith('unknown  253 '))!;
/** a DESTROY event conntrack -D caused (nat-router), with its [USERSPACE] suffix */
const DESTROY = readFileSync(fixture('nat-router/events_E_o_extended_id_ktimestamp.txt'), 'utf8').split('\n').find((l) => l.includes('progname=conntrack'))!;

/** `line` with `field` before its `use=` (so the line still ends as conntrack ends it) */
const withField = (line: string, field: string): string => line.replace(' use=', ` ${field} use=`);

describe('control characters in conntrack lines', () => {
  it('refuses a line with one in a key, a [FLAG] or the protocol name; keeps one in a value', () => {
    const c = parseConnLine(`${withField(FTP.replace('helper=ftp', 'helper=f\x1b\x07\x7fp'), 'note=a\x1b[31mb')} labels=x\x9by`);
    assert.deepStrictEqual([c?.helper, c?.extra, c?.labels], ['f\x1b\x07\x7fp', { note: 'a\x1b[31mb' }, ['x\x9by']]);
    assert.notEqual(parseConnLine(UNKNOWN), undefined);
    const bad = [
      withField(FTP, 'no\x00te=1'), // NUL
      withField(FTP, '\x1b[31m=1'), // ESC
      withField(FTP, 'note\x7f=1'), // DEL
      withField(FTP, 'no\u0085te=1'), // a C1 control (NEL), as UTF-8 decodes c2 85
      FTP.replace('helper=', 'hel\tper='), // TAB inside a key
      FTP.replace('[ASSURED]', '[ASS\x07URED]'),
      FTP.replace('[ASSURED]', '[ASSURED] [\x1b]'),
      UNKNOWN.replace('unknown', 'unk\x1bnown'),
    ];
    assert.deepStrictEqual(bad.map((l) => parseConnLine(l)), bad.map(() => undefined));
  });

  it('refuses an event whose [USERSPACE] suffix has one in a key, and keeps one in progname', () => {
    assert.equal(parseEventLine(DESTROY)?.userspace?.progname, 'conntrack');
    assert.equal(parseEventLine(DESTROY.replace('progname=conntrack', 'progname=con\x1btrack'))?.userspace?.progname, 'con\x1btrack');
    assert.equal(parseEventLine(DESTROY.replace('progname=', 'prog\x1bname=')), undefined);
    assert.equal(parseEventLine(DESTROY.replace('progname=conntrack', 'progname=conntrack \x07')), undefined);
  });
});
