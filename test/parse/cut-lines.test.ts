// A cut-off line is never an entry (issue 13): every line of every kernel table capture, cut at
// every byte, through both parsers and through the reader that feeds them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conn } from '../../src/model.js';
import { parseConnBytes } from '../../src/parse/conn-bytes.js';
import { parseConnLine, rejectionReason } from '../../src/parse/conn-line.js';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { connLineSink, emptyReport, type ReadReport } from '../../src/parse/conn-records.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

/** Every table capture: /proc, every conntrack -L format, and what -D, -G and -U printed (not expectations, not events). */
const TABLES = fixtureFiles().filter((f) =>
  /^kernel\/[^/]+\/(proc_nf_conntrack|conntrack_L(?!_expect)\w*|conntrack_[DGU]\w*_output)\.txt$/.test(f.name));

interface WholeLine {
  file: string;
  bytes: Buffer;
  conn: Conn;
  /** where the closing `use=N` field ends */
  useEnd: number;
}

const LINES: WholeLine[] = TABLES.flatMap((f) => lineRanges(f.bytes).map(([s, e]): WholeLine => {
  const bytes = f.bytes.subarray(s, e);
  const conn = parseConnLine(bytes.toString('latin1'));
  assert.ok(conn !== undefined, `${f.name}: ${bytes.toString('latin1')}`);
  const use = / use=\d+/.exec(bytes.toString('latin1'))!;
  return { file: f.name, bytes, conn, useEnd: use.index + use[0].length };
}));

const NEWLINE = Buffer.from('\n');

/** The reader over `input` (one chunk), as every command reads: the records and the report. */
function read(input: Buffer): { conns: Conn[]; report: ReadReport } {
  const conns: Conn[] = [];
  const report = emptyReport();
  const splitter = new ByteLineSplitter(connLineSink(report, false, (c) => conns.push(c)));
  splitter.push(input);
  splitter.end();
  return { conns, report };
}

test('the captures hold every table format, each line a whole entry ending in use=N or the fields -o id and -o labels add after it', () => {
  assert.equal(TABLES.length, 54);
  assert.equal(LINES.length, 1196);
  const tails = new Set(LINES.map((l) => l.bytes.toString('latin1').slice(l.useEnd).replace(/=\S*/g, '=')));
  assert.deepStrictEqual([...tails].sort(), ['', ' id=', ' labels=']);
});

test('both parsers: a line cut anywhere before the end of its use=N is no entry, and says it is cut off', () => {
  let cuts = 0;
  for (const { file, bytes, useEnd } of LINES) {
    for (let k = 0; k < useEnd; k++) {
      const cut = bytes.toString('latin1', 0, k);
      // the fast path reads bytes [0, k) of the whole line: it must not look past the cut either
      assert.equal(parseConnBytes(bytes, 0, k), undefined, `${file} fast path: ${cut}`);
      assert.equal(parseConnLine(cut), undefined, `${file}: ${cut}`);
      cuts++;
    }
  }
  assert.equal(cuts, 211159);
  // the example: cut inside the reply's dport=54352, today a record with reply dport 54 and an invented NAT
  const line = LINES.find((l) => l.file === 'kernel/nat-router/proc_nf_conntrack.txt' && l.conn.reply.dport === 54352)!;
  const text = line.bytes.toString('latin1');
  assert.equal(parseConnLine(text.slice(0, text.lastIndexOf('dport=54352') + 8)), undefined);
  assert.equal(rejectionReason(), 'cut off: no use=N field, which every table line has');
});

test('both parsers: past use=N a cut can only lose the trailing id= or labels= (which the reader\'s newline rule catches)', () => {
  const records = { fast: 0, slow: 0 };
  for (const { file, bytes, conn, useEnd } of LINES) {
    for (let k = useEnd; k < bytes.length; k++) {
      const cut = bytes.toString('latin1', 0, k);
      const fast = parseConnBytes(bytes, 0, k);
      const slow = parseConnLine(cut);
      if (fast !== undefined) {
        records.fast++;
        assert.deepStrictEqual(fast, slow, `${file}: ${cut}`);
      }
      if (slow === undefined) continue;
      records.slow++;
      assert.deepStrictEqual({ ...slow, id: conn.id, labels: conn.labels }, conn, `${file}: ${cut}`);
    }
  }
  // (the fast path reads a line cut just after use=N, with its space or without; the slow path
  // also one cut inside the id= or labels= value)
  assert.deepStrictEqual(records, { fast: 294, slow: 2662 });
});

test('the reader: every line cut at every byte, as the last line of its input, is a counted skip and never a record', () => {
  let skips = 0;
  for (const { file, bytes } of LINES) {
    for (let k = 1; k < bytes.length; k++) {
      const { conns, report } = read(bytes.subarray(0, k));
      assert.deepStrictEqual(
        { records: conns.length, lines: report.lines, skipped: report.skipped, cutOff: report.cutOff },
        { records: 0, lines: 1, skipped: 1, cutOff: true },
        `${file}: ${bytes.toString('latin1', 0, k)}`,
      );
      skips++;
    }
  }
  assert.equal(skips, 213381);
});

test('the reader: a line cut before its use=N and then ended by a newline is a counted skip; the whole line after it a record', () => {
  for (const { file, bytes, conn, useEnd } of LINES) {
    for (let k = 1; k < useEnd; k++) {
      const { conns, report } = read(Buffer.concat([bytes.subarray(0, k), NEWLINE, bytes, NEWLINE]));
      if (report.skipped !== 1 || report.firstSkippedLine !== 1 || conns.length !== 1) {
        assert.fail(`${file}: ${bytes.toString('latin1', 0, k)}: ${conns.length} records, ${report.skipped} skipped`);
      }
      // (the record is the whole line's: compared once a line, which is enough and 10× faster)
      if (k === 1) assert.deepStrictEqual(conns, [conn]);
    }
  }
});

test('the reader: a whole last line without its newline is cut off too (its last value could be short)', () => {
  const line = LINES.find((l) => l.file === 'kernel/nat-router/conntrack_L_o_id.txt')!;
  const whole = read(Buffer.concat([line.bytes, Buffer.from('\n')]));
  assert.deepStrictEqual(whole.conns, [line.conn]);
  const unterminated = read(line.bytes);
  assert.deepStrictEqual({ records: unterminated.conns.length, skipped: unterminated.report.skipped, cutOff: unterminated.report.cutOff },
    { records: 0, skipped: 1, cutOff: true });
});
