import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import fc from 'fast-check';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { fixture } from '../helpers/cli.js';

const real = ['nat-router/proc_nf_conntrack.txt', 'proto-zoo/conntrack_L_o_extended_id.txt', 'inserted/conntrack_L_o_ktimestamp.txt']
  .flatMap((f) => readFileSync(fixture(f), 'latin1').split('\n').filter(Boolean));

it('never throws on random text, and returns a record or undefined', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      const r = parseConnLine(s);
      assert.ok(r === undefined || typeof r === 'object');
    }),
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
    fc.property(mutated, (line) => {
      const c = parseConnLine(line);
      if (c !== undefined) {
        assert.ok(c.original.src !== '' && c.original.dst !== '' && c.reply.src !== '' && c.reply.dst !== '');
        assert.ok(c.family === 'ipv4' || c.family === 'ipv6');
        assert.ok(c.protonum >= 0 && c.protonum <= 255);
      }
    }),
    { numRuns: 5000 },
  );
});

it('parses every real line unchanged by the property harness (the harness itself is sound)', () => {
  assert.equal(real.filter((l) => parseConnLine(l) === undefined).length, 0);
  assert.equal(real.length, 34 + 35 + 29);
});
