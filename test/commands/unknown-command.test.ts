import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, leftoverWordsError, similarCommands } from '../../src/commands/unknown-command.js';
import { fixture, runCli } from '../helpers/cli.js';

const COMMANDS = ['flows', 'list', 'stats', 'protocols', 'watch', 'top', 'delete', 'flush', 'update', 'api', 'nat-owner']
  .map((name) => ({ name, aliases: name === 'list' ? ['ls'] : [] }));
const ALL = 'flows, list, stats, protocols, watch, top, delete, flush, update, api, nat-owner';
/** The program's commands, as the CLI names them */
const PROGRAM = `${ALL}, completion`;

describe('the nearest command names', () => {
  it('counts inserts, deletes, substitutions and swapped neighbours as one edit each', () => {
    assert.deepStrictEqual(
      [['lst', 'list'], ['lsit', 'list'], ['stat', 'stats'], ['fows', 'flows'], ['', 'top'], ['top', 'top'], ['10.0.0.1', 'list'], ['abc', 'ca']].map(([a, b]) => editDistance(a!, b!)),
      [1, 1, 1, 1, 3, 0, 8, 3],
    );
  });

  it('suggests the names within a third of the word (at least one edit), else those it begins', () => {
    assert.deepStrictEqual(
      ['lst', 'lsit', 'LIST', 'lss', 'stat', 'protocol', 'wtach', 'delte', 'fl', 'pro', 'p', '10.0.0.1', 'nope'].map((w) => similarCommands(w, COMMANDS)),
      [['list'], ['list'], ['list'], ['list'], ['stats'], ['protocols'], ['watch'], ['delete'], ['flows', 'flush'], ['protocols'], [], [], []],
    );
  });
});

describe('words left over after the default command', () => {
  const message = (words: string[], implicit: boolean): [string, number] => {
    const e = leftoverWordsError(words, implicit, 'flows', COMMANDS);
    return [e.message, e.exitCode];
  };

  it('names an unknown command and the nearest ones, or all of them', () => {
    assert.deepStrictEqual(
      [message(['lst'], true), message(['fl', 'x'], true), message(['10.0.0.1'], true)],
      [
        ['ctflow: unknown command "lst" (did you mean list?)', 2],
        ['ctflow: unknown command "fl" (did you mean flows or flush?)', 2],
        [`ctflow: unknown command "10.0.0.1", expected one of ${ALL} (ctflow --help)`, 2],
      ],
    );
  });

  it('says a command name goes first, and that `flows` itself takes no words', () => {
    assert.deepStrictEqual(
      [message(['ls'], true), message(['list'], false), message(['lst'], false), message(['x'], false)],
      [
        ['ctflow: "ls" is a command: name one, first (ctflow list [options])', 2],
        ['ctflow: "list" is a command: name one, first (ctflow list [options])', 2],
        ['ctflow: flows takes no arguments, got "lst" (did you mean ctflow list?)', 2],
        ['ctflow: flows takes no arguments, got "x"', 2],
      ],
    );
  });
});

describe('ctflow with a mistyped command (exit 2, one sentence, nothing read)', () => {
  const TABLE = ['--file', fixture('proto-zoo/proc_nf_conntrack.txt'), '--local', '10.4.0.1,fd00:a4::1'];

  for (const [args, stderr] of [
    [['lst'], 'ctflow: unknown command "lst" (did you mean list?)\n'],
    [['lst', '-n', ...TABLE], 'ctflow: unknown command "lst" (did you mean list?)\n'],
    [['-n', ...TABLE, 'stat'], 'ctflow: unknown command "stat" (did you mean stats?)\n'],
    [['10.4.0.2', '-n'], `ctflow: unknown command "10.4.0.2", expected one of ${PROGRAM} (ctflow --help)\n`],
    [['-n', 'list'], 'ctflow: "list" is a command: name one, first (ctflow list [options])\n'],
    [['flows', 'lst'], 'ctflow: flows takes no arguments, got "lst" (did you mean ctflow list?)\n'],
  ] as const) {
    it(`ctflow ${args.join(' ')}`, async () => {
      const r = await runCli([...args]);
      assert.deepStrictEqual(r, { code: 2, stdout: '', stderr });
    });
  }

  it('leaves `ctflow` with options only (no command) to flows, as `ctflow flows`', async () => {
    const plain = await runCli(['-n', '--ndjson', ...TABLE]);
    const named = await runCli(['flows', '-n', '--ndjson', ...TABLE]);
    assert.deepStrictEqual([plain.code, plain.stderr, plain.stdout.split('\n').length - 1], [0, '', 27]);
    assert.deepStrictEqual(plain, named);
  });
});
