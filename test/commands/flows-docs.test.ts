// docs/flows.md shows real output: its example command must still print exactly that table and
// its JSON example must still be what that capture gives.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ROOT, fixture, runCli } from '../helpers/cli.js';

const doc = readFileSync(join(ROOT, 'docs', 'flows.md'), 'utf8');

it('the example table in docs/flows.md is what the command prints', async () => {
  const block = doc.split('```\n')[1]!;
  const [, command, ...output] = block.split('\n');
  assert.match(command!, /^\$ ctflow /);
  const args = command!.slice('$ ctflow '.length).split(' ');
  const r = await runCli(args, { cwd: fixture('.') });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, output.join('\n'));
});

it('the JSON example in docs/flows.md is the first flow by peer on the router', async () => {
  const example = JSON.parse(doc.split('```json\n')[1]!.split('```')[0]!) as unknown;
  const r = await runCli(['flows', '--file', fixture('nat-router/proc_nf_conntrack.txt'), '--local', '10.1.0.1,10.2.0.1', '-n', '--sort', 'peer', '--ndjson', '--limit', '1']);
  assert.deepStrictEqual(JSON.parse(r.stdout), example);
});
