// The confirmation of delete, update and flush on a real terminal (tmux), with no root: the table
// comes from the inserted/ fixture (--file, or `conntrack -L` of a fake conntrack for the live
// table) and the change goes to that fake (--conntrack-bin), which logs what it was asked, so
// "nothing deleted" is what conntrack never saw.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixture } from '../helpers/cli.js';
import { fakeConntrack, type FakeConntrack } from '../helpers/fake-conntrack.js';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';

const TABLE = fixture('inserted/proc_nf_conntrack.txt');
const dir = mkdtempSync(join(tmpdir(), 'ctflow-tty-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const skip = tmuxMissing();

/**
 * Runs ctflow on a terminal, waits for `question`, types `answer` and Enter; returns the screen
 * after ctflow ended (ending in EXIT=<code>) and what the fake conntrack was asked.
 */
async function answer(args: string[], question: string, typed: string, ct: FakeConntrack): Promise<[string, string[]]> {
  const tmux = new Tmux(dir);
  try {
    tmux.start([...args, '--exec', '--conntrack-bin', ct.bin]);
    const asked = await tmux.waitScreen(`the question ${question}`, (s) => s.includes('[y/N]'));
    assert.equal(asked, `${question} [y/N]\n`, 'asks once, before anything runs');
    assert.deepStrictEqual(ct.runs(), ['-L -o extended'], 'nothing but the read ran before the answer');
    if (typed !== '') tmux.keys('-l', typed);
    tmux.keys('Enter');
    const screen = await tmux.waitScreen('ctflow to end', (s) => s.includes('EXIT='));
    return [screen, ct.runs()];
  } finally {
    tmux.close();
  }
}

test('delete on a terminal asks; n → nothing deleted, exit 1; y → deleted', { skip }, async () => {
  const args = ['delete', '-p', 'tcp', '--dport', '443'];
  const question = 'delete 10 connections?';
  const ctNo = fakeConntrack(dir, { count: 10 });
  const ctYes = fakeConntrack(dir, { count: 10 });
  const ctEnter = fakeConntrack(dir, { count: 10 });
  const [no, yes, enter] = await Promise.all([
    answer(args, question, 'n', ctNo),
    answer(args, question, 'y', ctYes),
    answer(args, question, '', ctEnter),
  ]);
  const read = '-L -o extended';
  assert.deepStrictEqual(no, [`${question} [y/N] n\nctflow: delete: not confirmed, nothing changed\nEXIT=1\n`, [read]]);
  assert.deepStrictEqual(yes, [`${question} [y/N] y\ndeleted 10 connections\nEXIT=0\n`, [read, '-D -p tcp --dport 443']]);
  // Enter alone is the default: no
  assert.deepStrictEqual(enter, [`${question} [y/N]\nctflow: delete: not confirmed, nothing changed\nEXIT=1\n`, [read]]);
});

test('delete of one connection on a terminal does not ask', { skip }, async () => {
  const ct = fakeConntrack(dir);
  const tmux = new Tmux(dir);
  try {
    tmux.start(['delete', '--exact', '-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '33010', '--dport', '443', '--file', TABLE, '--conntrack-bin', ct.bin]);
    const screen = await tmux.waitScreen('ctflow to end', (s) => s.includes('EXIT='));
    assert.deepStrictEqual([screen, ct.runs()], ['deleted 1 connection\nEXIT=0\n', ['-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443']]);
  } finally {
    tmux.close();
  }
});

test('update on a terminal asks; n → nothing changed, y → conntrack -U', { skip }, async () => {
  const args = ['update', '-p', 'udp', '-d', '192.0.2.11', '--set-mark', '9'];
  const question = 'update the mark of 2 connections?';
  const ctNo = fakeConntrack(dir, { count: 2 });
  const ctYes = fakeConntrack(dir, { count: 2 });
  const [no, yes] = await Promise.all([answer(args, question, 'no', ctNo), answer(args, question, 'YES', ctYes)]);
  assert.deepStrictEqual(no, [`${question} [y/N] no\nctflow: update: not confirmed, nothing changed\nEXIT=1\n`, ['-L -o extended']]);
  assert.deepStrictEqual(yes, [`${question} [y/N] YES\nupdated 2 connections\nEXIT=0\n`, ['-L -o extended', '-U -f ipv4 -p udp -d 192.0.2.11 -m 9']]);
});

test('flush on a terminal shows the current count and asks; n → nothing flushed, y → flushed', { skip }, async () => {
  const ctNo = fakeConntrack(dir);
  const ctYes = fakeConntrack(dir);
  const ct6 = fakeConntrack(dir, { count: 3 });
  const [no, yes, v6] = await Promise.all([
    answer(['flush'], 'flush 29 connections?', 'n', ctNo),
    answer(['flush'], 'flush 29 connections?', 'y', ctYes),
    answer(['flush', '-f', 'ipv6'], 'flush 3 ipv6 connections?', 'y', ct6),
  ]);
  const read = '-L -o extended';
  assert.deepStrictEqual(no, ['flush 29 connections? [y/N] n\nctflow: flush: not confirmed, nothing changed\nEXIT=1\n', [read]]);
  assert.deepStrictEqual(yes, ['flush 29 connections? [y/N] y\nflushed the whole table\nEXIT=0\n', [read, '-F']]);
  assert.deepStrictEqual(v6, ['flush 3 ipv6 connections? [y/N] y\nflushed 3 ipv6 connections\nEXIT=0\n', [read, '-D -f ipv6']]);
});
