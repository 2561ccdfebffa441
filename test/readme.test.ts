// The README shows real output. Three kinds of example are run here, from the repository root
// (so a newcomer can paste them), with a
// pinned environment:
//   ```console blocks: each `$ ctflow ARGS` line is run and must print exactly the lines after it
//                      (`$ sudo …` lines are illustrations of the live table and are not run);
//   <!-- example: ARGS --> before a ``` block: `ctflow ARGS` must print exactly the block;
//   <!-- json-of: ARGS --> before a ```json block: `ctflow ARGS` must print that JSON value.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli } from './helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const cwd = ROOT;

interface Example { args: string[]; expected: string; json: boolean }

function examples(): Example[] {
  const found: Example[] = [];
  for (const [, body] of readme.matchAll(/```console\n([\s\S]*?)```/g)) {
    let current: Example | undefined;
    for (const line of body!.split('\n')) {
      if (line.startsWith('$ ')) {
        current = undefined;
        if (!line.startsWith('$ ctflow ')) continue;
        current = { args: line.slice('$ ctflow '.length).split(' '), expected: '', json: false };
        found.push(current);
      } else if (current !== undefined) {
        current.expected += `${line}\n`;
      }
    }
  }
  for (const [, args, body] of readme.matchAll(/<!-- example: (.+?) -->\n```\n([\s\S]*?)```/g)) {
    found.push({ args: args!.split(' '), expected: body!, json: false });
  }
  for (const [, args, body] of readme.matchAll(/<!-- json-of: (.+?) -->\n```json\n([\s\S]*?)```/g)) {
    found.push({ args: args!.split(' '), expected: body!, json: true });
  }
  return found;
}

describe('README examples', () => {
  const all = examples();
  it('has the examples this test expects to run', () => assert.ok(all.length >= 5, `found ${all.length}`));
  for (const ex of all) {
    it(`ctflow ${ex.args.join(' ')}`, async () => {
      const r = await runCli(ex.args, { cwd });
      // stderr may carry a summary (watch), never a complaint
      assert.doesNotMatch(r.stderr, /skipped|error|invalid/i);
      assert.equal(r.code, 0);
      if (ex.json) assert.deepStrictEqual(JSON.parse(r.stdout), JSON.parse(ex.expected));
      else assert.equal(r.stdout, ex.expected.replace(/\n+$/, '\n'));
    });
  }
});
