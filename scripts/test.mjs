#!/usr/bin/env node
// `npm test`'s runner: node --test on every compiled test file, two at a time, then the option
// check. The files are listed here because `node --test DIR` reads a directory only on Node 20;
// from Node 21 on its arguments are file patterns and a directory fails to load.
//
// The option check: every ctflow command line a test ran was logged with its exit code
// (test/helpers/flag-log.ts); each option a command's --help lists must have been passed to that
// command by some test in a run that was not refused as bad usage.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

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
const logDir = join('build', 'flag-log');
rmSync(logDir, { recursive: true, force: true });
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
// a partial run (--test-name-pattern, one failing file) proves nothing about coverage
if (r.status !== 0 || process.argv.length > 2) process.exit(r.status ?? 1);

/**
 * The flags the options sections (every group) of commander's --help list (both spellings, without
 * -h/--help), and which of them take a value (`<x>`: always, `[x]`: when the next word is not an
 * option): the tests' own parser (test/helpers/option-coverage.ts), which fails on a line it cannot read.
 */
const { helpOptions: parseHelp } = await import(pathToFileURL(join('build', 'test', 'helpers', 'option-coverage.js')).href);
function helpOptions(args) {
  const help = execFileSync(process.execPath, [join('dist', 'cli.js'), ...args, '--help'], { encoding: 'utf8' });
  const parsed = parseHelp(help);
  const flags = parsed.flatMap((o) => o.flags);
  const value = new Map(parsed.flatMap((o) => (o.value === undefined ? [] : o.flags.map((f) => [f, o.value]))));
  return { flags, value };
}

const COMMANDS = ['flows', 'list', 'stats', 'protocols', 'watch', 'top', 'delete', 'flush', 'update', 'api read', 'api delete', 'nat-owner', 'completion'];
const ALIASES = new Map([['ls', 'list']]);
const options = new Map(COMMANDS.map((c) => [c, helpOptions(c.split(' '))]));
const used = new Map(COMMANDS.map((c) => [c, new Set()]));
const logs = existsSync(logDir) ? readdirSync(logDir) : [];
for (const name of logs) {
  for (const line of readFileSync(join(logDir, name), 'utf8').split('\n')) {
    if (line === '') continue;
    const { args, code } = JSON.parse(line);
    // a run refused as bad usage proves nothing about the options it was given
    if (code === 2) continue;
    let command;
    let rest;
    const first = ALIASES.get(args[0]) ?? args[0];
    if (first === 'api' && (args[1] === 'read' || args[1] === 'delete')) [command, rest] = [`api ${args[1]}`, args.slice(2)];
    else if (used.has(first)) [command, rest] = [first, args.slice(1)];
    else if (typeof first !== 'string' || first.startsWith('-')) [command, rest] = ['flows', args]; // ctflow [options]
    else continue; // not a command at all
    const { value } = options.get(command);
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (typeof a !== 'string' || !a.startsWith('-') || a === '-') continue;
      const flag = a.split('=')[0];
      used.get(command).add(flag);
      // the option's value is not an option, even when it starts with '-' (--sort -bytes)
      const takes = a.includes('=') ? undefined : value.get(flag);
      if (takes === 'required' || (takes === 'optional' && typeof rest[i + 1] === 'string' && !rest[i + 1].startsWith('-'))) i++;
    }
  }
}
const missing = COMMANDS.flatMap((c) => options.get(c).flags.filter((f) => !used.get(c).has(f)).map((f) => `ctflow ${c} ${f}`));
if (missing.length > 0) {
  console.error(`\noption check: ${missing.length} option(s) that --help lists were never passed by a test in a run that was not a usage error:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`\n# option check: every option the --help of ${COMMANDS.length} commands lists was passed by a test in a run that was not a usage error (${logs.length} test processes logged)`);
