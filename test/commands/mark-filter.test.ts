// -m MARK/MASK takes the entries whose (mark & MASK) == MARK, as conntrack -m does. A MARK with
// bits outside MASK can match nothing (conntrack -L -m 0x11/0xf0 shows nothing; see
// test/integration/mark-mask-netns.test.ts), so every command that filters by mark refuses it
// with exit 2 before reading anything. Before, ctflow compared (mark & MASK) with (MARK & MASK):
// `delete -m 0x11/0xf0` took mark 0x10, which conntrack keeps.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';

const TABLE = fixture('nat-router/proc_nf_conntrack.txt');
const EVENTS = fixture('nat-router/events_E_o_timestamp.txt');

// every command with -m/--mark, each reading a saved table (or saved events) it would otherwise read
const COMMANDS: string[][] = [
  ['list', '--file', TABLE],
  ['flows', '--file', TABLE],
  ['stats', '--file', TABLE],
  ['delete', '--file', TABLE, '--dry-run'],
  ['update', '--file', TABLE, '--dry-run', '--set-mark', '1'],
  ['watch', '--file', EVENTS],
  ['top', '--file', TABLE, '--once'],
];

test('every command refuses a mark with bits outside its mask: exit 2, one sentence naming the stray bits', async () => {
  const got = await Promise.all(COMMANDS.flatMap((args) => [
    runCli([...args, '-m', '0x11/0xf0']),
    runCli([...args, '--mark', '0x110/0xf']),
  ]));
  const outside11 = 'ctflow: --mark: 0x11 has bits outside the mask 0xf0 (0x1), so it can match no connection, got "0x11/0xf0"\n';
  const outside110 = 'ctflow: --mark: 0x110 has bits outside the mask 0xf (0x110), so it can match no connection, got "0x110/0xf"\n';
  assert.deepStrictEqual(
    got.map((r) => [r.code, r.stdout, r.stderr]),
    COMMANDS.flatMap(() => [[2, '', outside11], [2, '', outside110]]),
  );
});
