// docs/watch-top.md shows real output: each block marked `<!-- example: ARGS -->` must be what
// `ctflow ARGS` prints today.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';

const doc = readFileSync(join(ROOT, 'docs', 'watch-top.md'), 'utf8');
const examples = [...doc.matchAll(/<!-- example: (.+?) -->\n```\n([\s\S]*?)```/g)];

describe('docs/watch-top.md examples', () => {
  it('has examples', () => assert.equal(examples.length, 1));
  for (const [, args, output] of examples) {
    it(`prints what the doc shows for: ctflow ${args}`, async () => {
      const r = await runCli(args!.split(' '));
      assert.equal(r.code, 0);
      assert.equal(r.stdout, output);
    });
  }
});
