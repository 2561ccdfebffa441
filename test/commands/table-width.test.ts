// Every table fits the terminal (issue 16, Width): flows, list, top, stats and protocols run in a
// real terminal (tmux) at 80x24 and at 200x50; no line is longer than the terminal is wide, every
// box is whole (its lines as wide as each other, one border each side), and each peer address
// shows whole.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';
import { flowEndpoint } from '../../src/render/flows-table.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-width-'));
const NAT = fixture('nat-router/proc_nf_conntrack.txt');
const LOCAL = '10.1.0.1,10.2.0.1,fd00:a1::1,fd00:a2::1';
const why = tmuxMissing();

/** What ctflow printed in a width x height terminal, each line without trailing blanks. */
async function printed(args: string[], width: number, height: number): Promise<string[]> {
  const tmux = new Tmux(dir);
  try {
    tmux.start(args, { width, height });
    await tmux.waitScreen('ctflow to end', (s) => /EXIT=\d+/.test(s));
    const lines = tmux.history().split('\n').map((l) => l.trimEnd());
    const exit = lines.findIndex((l) => l.startsWith('EXIT='));
    assert.equal(lines[exit], 'EXIT=0', lines.join('\n'));
    return lines.slice(0, exit);
  } finally {
    tmux.close();
  }
}

/** The boxes of a text: runs of lines that begin with a box-drawing character. */
function boxes(lines: string[]): string[][] {
  const found: string[][] = [];
  let cur: string[] | undefined;
  for (const l of lines) {
    if (/^[┌│└]/.test(l)) {
      if (l.startsWith('┌') || cur === undefined) found.push((cur = []));
      cur.push(l);
      if (l.startsWith('└')) cur = undefined;
    } else cur = undefined;
  }
  return found;
}

function assertFits(lines: string[], width: number, what: string): void {
  for (const l of lines) assert.ok([...l].length <= width, `${what}: ${[...l].length} > ${width}: ${l}`);
  for (const box of boxes(lines)) {
    const w = [...box[0]!].length;
    assert.ok(box[0]!.startsWith('┌') && box.at(-1)!.startsWith('└'), `${what}: a box without its top or bottom\n${box.join('\n')}`);
    for (const l of box) {
      assert.equal([...l].length, w, `${what}: a line of another width\n${box.join('\n')}`);
      assert.match(l, /^[┌│└].*[┐│┘]$/, what);
    }
  }
}

/** Each flow's peer as `flows` and `top` write it, from flows --json. */
async function peers(): Promise<string[]> {
  const r = await runCli(['flows', '--json', '-n', '--file', NAT, '--local', LOCAL]);
  return (JSON.parse(r.stdout) as Array<{ protocol: string; peer: { addr: string; port: number | 'many' } }>).map((f) => flowEndpoint(f.protocol, f.peer.addr, f.peer.port));
}

describe('tables fit the terminal (tmux)', { skip: why }, () => {
  for (const [width, height] of [[80, 24], [200, 50]] as const) {
    it(`${width}x${height}: flows, list, top, stats and protocols`, async () => {
      const want = await peers();
      const flows = await printed(['flows', '-n', '--file', NAT, '--local', LOCAL], width, height);
      assertFits(flows, width, 'flows');
      // the peer cell: third column; whole, never cut (a NAT target after it may be)
      const flowPeers = flows.filter((l) => l.startsWith('│ ') && !l.startsWith('│ Proto')).map((l) => l.split('│')[4]!.trim().split(' → ')[0]!);
      assert.deepStrictEqual([...flowPeers].sort(), [...want].sort());

      assertFits(await printed(['list', '--file', NAT], width, height), width, 'list');

      const top = await printed(['top', '--once', '--limit', '100', '--file', NAT, '--local', LOCAL], width, height);
      assertFits(top, width, 'top');
      const topRows = top.slice(4).filter((l) => l !== '');
      assert.equal(topRows.length, want.length);
      for (const row of topRows) assert.ok(want.some((p) => row.includes(`> ${p}`) || row.includes(`- ${p}`)), `top cut a peer: ${row}`);

      assertFits(await printed(['stats', '--file', NAT, '-p', 'tcp', '--state', 'TIME_WAIT,ESTABLISHED', '--top', '2'], width, height), width, 'stats');
      assertFits(await printed(['protocols'], width, height), width, 'protocols');
      assertFits(await printed(['protocols', '--live', '--file', NAT], width, height), width, 'protocols --live');
    });
  }
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
