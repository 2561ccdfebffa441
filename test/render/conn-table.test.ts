import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Conn } from '../../src/model.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { renderConnTable, streamConnTable, writeConnTable } from '../../src/render/conn-table.js';
import { createPalette } from '../../src/render/palette.js';
import { WIDE } from '../../src/render/table-layout.js';
import { fixture } from '../helpers/cli.js';

const conns = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'utf8').split('\n').filter((l) => l !== '').map((l) => parseConnLine(l)!);
const bySport = (port: number): Conn => conns.find((c) => c.original.sport === port)!;
const plain = createPalette(false);

// The expected text is what the cli-table3 version printed for the same rows (`list --limit 4
// --sort bytes` on this capture), so the switch to box-table changed nothing visible.
test('draws the header and rows exactly as before: boxed, numbers right-aligned, NAT reply, flags', () => {
  const rows = [38658, 37598, 58518, 37174].map(bySport);
  assert.equal(renderConnTable(rows, plain), [
    '┌───────┬───────────┬────────────────┬───┬────────────────┬─────────────────────────────────┬──────┬────────┬─────────┬───────────┐',
    '│ Proto │ State     │ Source         │   │ Destination    │ Reply (NAT)                     │ Pkts │ Bytes  │ Timeout │ Flags     │',
    '│ tcp   │ TIME_WAIT │ 10.1.0.2:38658 │ → │ 10.2.0.2:80    │ 10.2.0.2:80 → 10.2.0.1:38658    │   22 │ 65 KiB │   1m54s │ A m=23552 │',
    '│ tcp   │ TIME_WAIT │ 10.1.0.2:37598 │ → │ 10.2.0.2:8000  │ 10.2.0.2:8000 → 10.2.0.1:20871  │   16 │ 21 KiB │   1m54s │ A         │',
    '│ tcp   │ TIME_WAIT │ 10.1.0.2:58518 │ → │ 10.1.0.1:8080  │ 10.2.0.2:80 → 10.2.0.1:58518    │   16 │ 21 KiB │   1m54s │ A m=23552 │',
    '│ tcp   │ TIME_WAIT │ 10.1.0.2:37174 │ → │ 10.1.0.1:39027 │ 10.2.0.2:39027 → 10.2.0.1:37174 │   10 │ 11 KiB │   1m54s │ A         │',
    '└───────┴───────────┴────────────────┴───┴────────────────┴─────────────────────────────────┴──────┴────────┴─────────┴───────────┘',
    '',
  ].join('\n'));
});

test('an empty list is the header alone', () => {
  assert.equal(renderConnTable([], plain), [
    '┌───────┬───────┬────────┬──┬─────────────┬─────────────┬──────┬───────┬─────────┬───────┐',
    '│ Proto │ State │ Source │  │ Destination │ Reply (NAT) │ Pkts │ Bytes │ Timeout │ Flags │',
    '└───────┴───────┴────────┴──┴─────────────┴─────────────┴──────┴───────┴─────────┴───────┘',
    '',
  ].join('\n'));
});

test('20,000 connections render (cli-table3 needed minutes for this; no timing asserted)', () => {
  const base = bySport(38658);
  const many: Conn[] = Array.from({ length: 20000 }, (_, i) => ({ ...base, original: { ...base.original, sport: 10000 + i } }));
  const lines = renderConnTable(many, plain).split('\n');
  assert.equal(lines.length, 20000 + 4);
  assert.equal(lines[2], '│ tcp   │ TIME_WAIT │ 10.1.0.2:10000 │ → │ 10.2.0.2:80 │ 10.2.0.2:80 → 10.2.0.1:38658 │   22 │ 65 KiB │   1m54s │ A m=23552 │');
  assert.equal(lines[20001], '│ tcp   │ TIME_WAIT │ 10.1.0.2:29999 │ → │ 10.2.0.2:80 │ 10.2.0.2:80 → 10.2.0.1:38658 │   22 │ 65 KiB │   1m54s │ A m=23552 │');
});

test('streamed: the header, then one write per connection, then the bottom rule; the same bytes as before', () => {
  const writes: string[] = [];
  writeConnTable((t) => writes.push(t), conns, plain);
  assert.equal(writes.length, conns.length + 2);
  assert.equal(writes.join(''), renderConnTable(conns, plain));
  assert.equal(writes[1 + conns.findIndex((c) => c.original.sport === 38658)]!.replace(/ +│/g, ' │'),
    '│ tcp │ TIME_WAIT │ 10.1.0.2:38658 │ → │ 10.2.0.2:80 │ 10.2.0.2:80 → 10.2.0.1:38658 │   22 │  65 KiB │   1m54s │ A m=23552 │\n');
});

test('a streamed table is the whole table to the byte when it has no more rows than its sample', () => {
  let out = '';
  const stream = streamConnTable((t) => (out += t), plain, undefined, WIDE, conns.length + 1);
  for (const c of conns) stream.row(c);
  assert.equal(out, '', 'nothing is written before the sample is complete or the rows end');
  stream.end();
  assert.equal(out, renderConnTable(conns, plain));
});

test('a streamed table measures its columns on its first rows and writes each later row at once', () => {
  let out = '';
  const stream = streamConnTable((t) => (out += t), plain, undefined, WIDE, 2);
  stream.row(conns[0]!);
  assert.equal(out, '');
  stream.row(conns[1]!);
  const firstTwo = renderConnTable(conns.slice(0, 2), plain).split('\n');
  // top rule, headings, the two rows: everything but the bottom rule
  assert.equal(out, firstTwo.slice(0, 4).join('\n') + '\n');
  const before = out.length;
  stream.row(conns[2]!);
  const third = out.slice(before);
  assert.deepStrictEqual([third.split('\n').length, third.startsWith('│ ')], [2, true]);
  stream.end();
  assert.equal(out.slice(out.lastIndexOf('└')), firstTwo[4] + '\n');
});
