// Text from a table (or a resolver, or a mark map) reaches a terminal with its control characters
// escaped as \xNN and its backslashes doubled; everything else, UTF-8 included, as it is.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { parseMarkMap } from '../../src/host/mark-map.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseEventLine } from '../../src/parse/event-line.js';
import { extraTableCells } from '../../src/render/conn-extras.js';
import { connFlags } from '../../src/render/conn-table.js';
import { eventText } from '../../src/render/event-text.js';
import { renderFlowsTable } from '../../src/render/flows-table.js';
import { createPalette } from '../../src/render/palette.js';
import { terminalText } from '../../src/render/terminal-text.js';
import { DESTROY_EVENT, FTP_LINE } from '../helpers/edge-lines.js';

const plain = createPalette(false);

describe('terminalText', () => {
  it('escapes C0, DEL and C1 controls as \\xNN and doubles a backslash; keeps the rest', () => {
    assert.deepStrictEqual(
      ['ftp', 'fé', '日本', '\x00\x07\x1b[2J\x7f\x85\x9b\x9f', 'a\\x1b', 'é\u00a0\u00ff', 'tab\there\r\n'].map(terminalText),
      ['ftp', 'fé', '日本', '\\x00\\x07\\x1b[2J\\x7f\\x85\\x9b\\x9f', 'a\\\\x1b', 'é\u00a0\u00ff', 'tab\\x09here\\x0d\\x0a'],
    );
  });
});

describe('text outputs escape control characters from the input', () => {
  it("list's Flags: helper and labels", () => {
    const c = parseConnLine(`${FTP_LINE.replace('helper=ftp', 'helper=f\x1b\x07\x7fp')} labels=a\x1b]0;pwned\x07,b`)!;
    assert.equal(connFlags(c), 'A helper=f\\x1b\\x07\\x7fp labels=a\\x1b]0;pwned\\x07,b');
  });

  it("watch's text: helper and the name of the program that deleted the entry", () => {
    const e = parseEventLine(DESTROY_EVENT.replace(' id=', ' helper=f\x1bp id=').replace('progname=conntrack', 'progname=con\x1b[8mtrack'))!;
    assert.equal(
      eventText({ ...e, time: undefined }, plain),
      'DESTROY tcp  CLOSE       10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 5/368 B 3/3.1 KiB [ASSURED] helper=f\\x1bp by con\\x1b[8mtrack',
    );
  });

  it("a mark map's names, and a peer's reverse-DNS name in the flows table", () => {
    const map = parseMarkMap(JSON.stringify({ prio: { mask: '0xff', names: { 1: 'hi\x1b[5mgh' } } }), 'map.json');
    const c = parseConnLine(FTP_LINE.replace('mark=0', 'mark=1'))!;
    assert.deepStrictEqual(extraTableCells(c, { markMap: map }), ['prio=hi\\x1b[5mgh']);
    const f: HostFlow = {
      direction: 'active', protocol: 'tcp', protonum: 6, family: 'ipv4', local: { addr: '10.3.0.10', port: 'many' },
      peer: { addr: '10.3.0.21', port: 443 }, natTarget: undefined,
      connections: 1, inPackets: 1, inBytes: 60, outPackets: 1, outBytes: 60, counted: 1,
    };
    assert.equal(renderFlowsTable([f], plain, new Map([['10.3.0.21', 'evil\x1b[2J.example']]), undefined, { width: undefined, exact: true }).split('\n')[2],
      '│ tcp   │ 10.3.0.10:many  │ -->  │ evil\\x1b[2J.example:443 │     1 │      1 │      60 │       1 │       60 │');
  });
});
