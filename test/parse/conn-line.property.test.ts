import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import fc from 'fast-check';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { ByteLineSplitter } from '../../src/source/line-splitter.js';
import { connLineSink, emptyReport } from '../../src/parse/conn-records.js';
import { fixture } from '../helpers/cli.js';

const real = ['nat-router/proc_nf_conntrack.txt', 'proto-zoo/conntrack_L_o_extended_id.txt', 'inserted/conntrack_L_o_ktimestamp.txt']
  .flatMap((f) => readFileSync(fixture(f), 'latin1').split('\n').filter(Boolean));

/** A record the parser returns has both tuples' addresses, a family and a protocol number. */
function assertWhole(c: ReturnType<typeof parseConnLine>): void {
  if (c === undefined) return;
  assert.ok(c.original.src !== '' && c.original.dst !== '' && c.reply.src !== '' && c.reply.dst !== '');
  assert.ok(c.family === 'ipv4' || c.family === 'ipv6');
  assert.ok(c.protonum >= 0 && c.protonum <= 255);
}

it('never throws on random text, and every record it returns is whole', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => assertWhole(parseConnLine(s))),
    { numRuns: 3000 },
  );
});

it('never throws on mutated real lines (cut, spliced, bytes replaced), and every record it returns is whole', () => {
  const mutated = fc
    .tuple(fc.constantFrom(...real), fc.nat(), fc.nat(), fc.string({ maxLength: 12 }))
    .map(([line, a, b, insert]) => {
      const i = a % (line.length + 1);
      const j = i + (b % 20);
      return line.slice(0, i) + insert + line.slice(Math.min(j, line.length));
    });
  fc.assert(
    fc.property(mutated, (line) => assertWhole(parseConnLine(line))),
    { numRuns: 5000 },
  );
});

it('parses every real line unchanged by the property harness (the harness itself is sound)', () => {
  assert.equal(real.filter((l) => parseConnLine(l) === undefined).length, 0);
  assert.equal(real.length, 34 + 35 + 29);
});

// the reader's bookkeeping, over whole tables of real, mutated and garbage lines cut into chunks
// anywhere: every non-empty line is a record or a counted skip, never both, never neither
it('every non-empty line of a table is either a record or a counted skip, however it is chunked', () => {
  const line = fc.oneof(
    fc.constantFrom(...real),
    fc.tuple(fc.constantFrom(...real), fc.nat(), fc.string({ maxLength: 8 })).map(([l, a, ins]) => l.slice(0, a % l.length) + ins + l.slice(a % l.length)),
    fc.string({ maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  );
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
      const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
      const report = emptyReport();
      let records = 0;
      const splitter = new ByteLineSplitter(connLineSink(report, false, () => records++));
      let at = 0;
      for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
        splitter.push(bytes.subarray(at, Math.max(at, cut)));
        at = Math.max(at, cut);
      }
      splitter.push(bytes.subarray(at));
      splitter.end();
      // only an empty line is neither (a line of spaces is not an entry: a counted skip)
      const nonEmpty = lines.filter((l) => l !== '').length;
      const expectedRecords = lines.filter((l) => parseConnLine(l) !== undefined).length;
      assert.equal(report.lines, lines.length);
      assert.equal(records, report.records);
      assert.equal(report.records, expectedRecords);
      assert.equal(report.records + report.skipped, nonEmpty);
    }),
    { numRuns: 500 },
  );
});
