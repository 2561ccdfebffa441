// list on a real terminal (tmux, 30 rows): more rows than 100 screens without --limit are
// announced on stderr, once, before they are printed.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixture } from '../helpers/cli.js';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-list-tty-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const skip = tmuxMissing();

// 34 entries × 90: 3,060 rows, over the 3,000 of 100 screens of 30 rows
const BIG = join(dir, 'big.txt');
writeFileSync(BIG, readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').repeat(90), 'latin1');
const SMALL = fixture('nat-router/proc_nf_conntrack.txt');

/** ctflow's stderr and exit when run with `args` on a 30-row terminal. */
async function onTerminal(args: string[]): Promise<[string, string]> {
  const tmux = new Tmux(dir);
  const err = join(dir, `${tmux.socket}.err`);
  try {
    tmux.start(args, { stderr: err });
    const screen = await tmux.waitScreen('ctflow to end', (s) => s.includes('EXIT='));
    return [readFileSync(err, 'utf8'), /EXIT=\d+/.exec(screen)![0]];
  } finally {
    tmux.close();
  }
}

test('list on a terminal says how many rows it is about to print when they are over 100 screens', { skip }, async () => {
  const notice = 'ctflow: about to print 3060 connections (over 100 screens); --limit N or a filter narrows them\n';
  const [csv, table, limited, small, filtered] = await Promise.all([
    onTerminal(['list', '--csv', '--file', BIG]),
    onTerminal(['list', '--file', BIG]),
    onTerminal(['list', '--csv', '--limit', '0', '--file', BIG]),
    onTerminal(['list', '--csv', '--file', SMALL]),
    onTerminal(['list', '--csv', '-p', 'icmp', '--file', BIG]),
  ]);
  assert.deepStrictEqual(csv, [notice, 'EXIT=0']);
  // a table says its closing count once written
  assert.deepStrictEqual(table, [`${notice}3,060 connections from 3,060 entries\n`, 'EXIT=0']);
  // asked for all of them, or few enough: nothing to say
  assert.deepStrictEqual(limited, ['', 'EXIT=0']);
  assert.deepStrictEqual(small, ['', 'EXIT=0']);
  assert.deepStrictEqual(filtered, ['', 'EXIT=0']);
});
