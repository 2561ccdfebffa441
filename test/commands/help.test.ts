// --help is laid out the same way everywhere: the command's own options, then the groups Source,
// Filter, Selection, Output (only those the command has), then two or three examples; and the
// program's help says that flows is what `ctflow` runs with no command.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { helpFlags, helpOptions } from '../helpers/option-coverage.js';

const headings = (help: string): string[] => help.split('\n').filter((l) => /^\S.*:$/.test(l));

/** The example command lines of a --help ("  ctflow …" lines after "Examples:"). */
const exampleLines = (help: string): string[] =>
  help.slice(help.indexOf('\nExamples:\n')).split('\n').filter((l) => l.startsWith('  ctflow')).map((l) => l.slice(2));

const READING = ['Options:', 'Source options:', 'Filter options:', 'Selection options:', 'Output options:', 'Examples:'];
const GROUPS: [string, string[], number][] = [
  ['flows', READING, 3],
  // list explains its Flags column's codes between the options and the examples
  ['list', [...READING.slice(0, -1), 'Flags column:', 'Examples:'], 3],
  ['top', READING, 3],
  ['stats', READING, 3],
  ['watch', ['Options:', 'Source options:', 'Filter options:', 'Output options:', 'Examples:'], 3],
  ['protocols', ['Options:', 'Source options:', 'Output options:', 'Examples:'], 2],
  ['delete', ['Options:', 'Source options:', 'Filter options:', 'Output options:', 'Examples:'], 3],
  ['update', ['Options:', 'Source options:', 'Filter options:', 'Output options:', 'Examples:'], 2],
  ['flush', ['Options:', 'Source options:', 'Filter options:', 'Output options:', 'Examples:'], 2],
  ['api read', ['Options:', 'Source options:', 'Output options:', 'Examples:'], 2],
  ['api delete', ['Options:', 'Source options:', 'Examples:'], 2],
  ['completion', ['Arguments:', 'Options:', 'Examples:'], 3],
];

describe('every command\'s --help', () => {
  for (const [command, groups, examples] of GROUPS) {
    it(`ctflow ${command} --help: option groups in one order, then ${examples} examples of that command`, async () => {
      const r = await runCli([...command.split(' '), '--help']);
      assert.equal(r.code, 0);
      assert.deepStrictEqual(headings(r.stdout), groups);
      const lines = exampleLines(r.stdout);
      assert.equal(lines.length, examples);
      for (const line of lines) assert.ok(line === `ctflow ${command}` || line.startsWith(`ctflow ${command} `), line);
    });
  }

  it('the grouped --help lists every option once (the same set as before the groups)', async () => {
    const r = await runCli(['flows', '--help']);
    const flags = helpFlags(r.stdout);
    assert.equal(new Set(flags).size, flags.length);
    assert.deepStrictEqual(
      headings(r.stdout).filter((h) => h.endsWith('ptions:')).map((h) => h),
      ['Options:', 'Source options:', 'Filter options:', 'Selection options:', 'Output options:'],
    );
    assert.ok(flags.includes('--local') && flags.includes('--sort') && flags.includes('--dns-timeout') && flags.includes('--file'));
  });
});

describe('ctflow help and ctflow --help', () => {
  it('say that flows is the default command, and are the same text', async () => {
    const help = await runCli(['help']);
    const dashed = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, dashed.stdout);
    assert.match(help.stdout, /^ {2}flows \[options\] +\(the default command\) host flows/m);
    assert.match(help.stdout, /^With no command, ctflow runs flows: `ctflow -n` is `ctflow flows -n` \(ctflow flows --help\)\.$/m);
    assert.deepStrictEqual(exampleLines(help.stdout), ['ctflow', 'ctflow list -p tcp --state ESTABLISHED', 'ctflow help list']);
  });
});

describe('the --help parser of the option check', () => {
  const help = (body: string): string => `Usage: ctflow x [options]\n\nx\n\n${body}\nExamples:\n  ctflow x --not-an-option\n`;

  it('reads every group, values included, and skips -h', () => {
    assert.deepStrictEqual(
      helpOptions(help('Options:\n  -h, --help  help\n\nSource options:\n  --file <path>  a file\n                 more words\n\nOutput options:\n  -z, --zones [file]  zones\n')),
      [{ flags: ['--file'], value: 'required' }, { flags: ['-z', '--zones'], value: 'optional' }],
    );
  });

  it('refuses a line of an options section that is not an option', () => {
    assert.throws(() => helpOptions(help('Filter options:\n  --port <port>  a port\n  port 22 only\n')), /a line in an options section is not an option: " {2}port 22 only"/);
  });

  it('refuses a help with no options section', () => {
    assert.throws(() => helpOptions('Usage: ctflow x\n\nFlags:\n  --file <path>  a file\n'), /no options section found/);
  });
});
