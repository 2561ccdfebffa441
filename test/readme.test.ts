// The README and docs/*.md show real output. Three kinds of example are run here, from the
// repository root (so a newcomer can paste them), with a pinned environment:
//   ```console blocks: each `$ ctflow ARGS` line is run and must print exactly the lines after it
//                      (`$ sudo …` lines are illustrations of the live table and are not run);
//   <!-- example: ARGS --> before a ``` block: `ctflow ARGS` must print exactly the block;
//   <!-- json-of: ARGS --> before a ```json block: `ctflow ARGS` must print that JSON value.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli } from './helpers/cli.js';

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join('docs', f))];
const cwd = ROOT;

interface Example { doc: string; args: string[]; expected: string; json: boolean }

function examples(doc: string): Example[] {
  const readme = readFileSync(join(ROOT, doc), 'utf8');
  const found: Example[] = [];
  for (const [, body] of readme.matchAll(/```console\n([\s\S]*?)```/g)) {
    let current: Example | undefined;
    for (const line of body!.split('\n')) {
      if (line.startsWith('$ ')) {
        current = undefined;
        if (!line.startsWith('$ ctflow ')) continue;
        current = { doc, args: line.slice('$ ctflow '.length).split(' '), expected: '', json: false };
        found.push(current);
      } else if (current !== undefined) {
        current.expected += `${line}\n`;
      }
    }
  }
  for (const [, args, body] of readme.matchAll(/<!-- example: (.+?) -->\n```\n([\s\S]*?)```/g)) {
    found.push({ doc, args: args!.split(' '), expected: body!, json: false });
  }
  for (const [, args, body] of readme.matchAll(/<!-- json-of: (.+?) -->\n```json\n([\s\S]*?)```/g)) {
    found.push({ doc, args: args!.split(' '), expected: body!, json: true });
  }
  return found;
}

describe('README and docs/ examples', () => {
  const all = DOCS.flatMap(examples);
  it('has the examples this test expects to run, the README\'s first screen among them', () => {
    assert.ok(all.length >= 6, `found ${all.length}`);
    assert.ok(all.filter((ex) => ex.doc === 'README.md').length >= 2);
  });
  for (const ex of all) {
    it(`${ex.doc}: ctflow ${ex.args.join(' ')}`, async () => {
      const r = await runCli(ex.args, { cwd });
      // stderr may carry a summary (watch), never a complaint
      assert.doesNotMatch(r.stderr, /skipped|error|invalid/i);
      assert.equal(r.code, 0);
      if (ex.json) assert.deepStrictEqual(JSON.parse(r.stdout), JSON.parse(ex.expected));
      else assert.equal(r.stdout, ex.expected.replace(/\n+$/, '\n'));
    });
  }
});
