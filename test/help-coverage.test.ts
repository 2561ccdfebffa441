// Every option a command documents in --help is exercised by some test: each long flag of each
// command must appear, as typed by a user, in the test sources of this suite.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ROOT, runCli } from './helpers/cli.js';

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testSources(path);
    return name.endsWith('.test.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

const COMMANDS = ['flows', 'list', 'stats', 'protocols', 'watch', 'top', 'delete', 'flush', 'update', 'api read', 'api delete', 'nat-owner', 'completion'];

it('every long option of every command is used by some test', async () => {
  const sources = testSources(join(ROOT, 'test')).join('\n');
  const missing: string[] = [];
  let checked = 0;
  for (const command of COMMANDS) {
    const r = await runCli([...command.split(' '), '--help']);
    assert.equal(r.code, 0, command);
    for (const [, flag] of r.stdout.matchAll(/(?:^|\s|,)(--[a-z][a-z0-9-]*)/gm)) {
      if (flag === '--help') continue;
      checked++;
      if (!sources.includes(`'${flag}'`) && !sources.includes(`${flag} `) && !sources.includes(`${flag}'`) && !sources.includes(`"${flag}"`)) {
        missing.push(`${command} ${flag}`);
      }
    }
  }
  assert.ok(checked > 200, `only ${checked} flags found`);
  assert.deepEqual(missing, []);
});
