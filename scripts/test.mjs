#!/usr/bin/env node
// `npm test`'s runner: node --test on every compiled test file, two at a time. The files are
// listed here because `node --test DIR` reads a directory only on Node 20; from Node 21 on its
// arguments are file patterns and a directory fails to load.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []));
}

const files = testFiles(join('build', 'test'));
if (files.length === 0) {
  console.error('scripts/test.mjs: no compiled tests under build/test (run npm run pretest)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
