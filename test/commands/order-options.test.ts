// One vocabulary for ordering and cutting rows across flows, list and top: the same --sort key
// names (with conns/connections and pkts/packets as one key), -KEY and --reverse, --limit 0 = all,
// the same refusal of an unknown key, and the same --help words. Table-driven over the commands.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';
import { limitFrom, parseSort, sortKeyNames, sortWords } from '../../src/commands/order-options.js';

const ROUTER = fixture('nat-router/proc_nf_conntrack.txt');

interface Command {
  name: string;
  /** arguments that read ROUTER and print one JSON row per line (or one array) */
  args: string[];
  /** the sort keys --help names, in order */
  keys: string[];
  /** the rows of the output, comparable across runs */
  rows: (stdout: string) => unknown[];
}

const ndjsonRows = (stdout: string): unknown[] =>
  stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
    // a frame's time is the clock's; its total row is not a row
    .filter((r) => r.type !== 'total').map(({ time: _t, ...rest }) => rest);

const COMMANDS: Command[] = [
  { name: 'flows', args: ['flows', '--file', ROUTER, '--local', '10.2.0.2', '-n', '--json'], keys: ['bytes', 'connections', 'packets', 'peer', 'port'], rows: (s) => JSON.parse(s) as unknown[] },
  { name: 'list', args: ['list', '--file', ROUTER, '--json'], keys: ['bytes', 'packets', 'timeout', 'src', 'dst', 'sport', 'dport', 'proto', 'state', 'none'], rows: (s) => JSON.parse(s) as unknown[] },
  { name: 'top', args: ['top', '--file', ROUTER, '--local', '10.2.0.2', '--once', '--ndjson'], keys: ['rate', 'pps', 'bytes', 'packets', 'connections'], rows: ndjsonRows },
  { name: 'top --connections', args: ['top', '--connections', '--file', ROUTER, '--once', '--ndjson'], keys: ['rate', 'pps', 'bytes', 'packets', 'connections'], rows: ndjsonRows },
];

async function rows(c: Command, extra: string[]): Promise<unknown[]> {
  const r = await runCli([...c.args, ...extra]);
  assert.equal(r.stderr, '', `${c.name} ${extra.join(' ')}`);
  assert.equal(r.code, 0);
  return c.rows(r.stdout);
}

describe('--sort, --reverse and --limit mean the same in every command', () => {
  for (const c of COMMANDS) {
    it(`${c.name}: a key answers to each of its names and to any case`, async () => {
      const packets = await rows(c, ['--sort', 'packets']);
      assert.ok(packets.length > 20);
      assert.deepStrictEqual(await rows(c, ['--sort', 'pkts']), packets);
      assert.deepStrictEqual(await rows(c, ['--sort', 'PACKETS']), packets);
      if (c.keys.includes('connections')) {
        const conns = await rows(c, ['--sort', 'conns']);
        assert.deepStrictEqual(await rows(c, ['--sort', 'connections']), conns);
        assert.notDeepStrictEqual(conns, packets);
      }
    });

    it(`${c.name}: --reverse and -KEY both reverse the order, and together cancel out`, async () => {
      const forward = await rows(c, ['--sort', 'bytes', '--limit', '0']);
      const reversed = await rows(c, ['--sort', 'bytes', '--reverse', '--limit', '0']);
      assert.deepStrictEqual(await rows(c, ['--sort=-bytes', '--limit', '0']), reversed);
      assert.deepStrictEqual(await rows(c, ['--sort=-bytes', '--reverse', '--limit', '0']), forward);
      if (c.name !== 'top' && c.name !== 'top --connections') assert.deepStrictEqual(reversed, [...forward].reverse());
      else {
        // top breaks ties by identity in the same direction: the byte counts reverse exactly
        const bytes = (list: unknown[]): unknown[] => list.map((r) => (r as { bytes: unknown }).bytes);
        assert.deepStrictEqual(bytes(reversed), bytes(forward).reverse());
      }
    });

    it(`${c.name}: --limit N keeps the first N, --limit 0 keeps all`, async () => {
      const all = await rows(c, []);
      assert.deepStrictEqual(await rows(c, ['--limit', '0']), all);
      assert.deepStrictEqual(await rows(c, ['--limit', '3']), all.slice(0, 3));
    });

    it(`${c.name}: an unknown key is refused in the same words, naming the command's keys (exit 2)`, async () => {
      const r = await runCli([...c.args, '--sort', 'colour']);
      assert.equal(r.stderr, `ctflow: --sort: expected one of ${c.keys.join(', ')} (prefix - to reverse), got "colour"\n`);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
    });
  }

  it('top in plain frames: --limit 0 shows every row, not the default 20', async () => {
    const r = await runCli(['top', '--connections', '--file', ROUTER, '--once', '--limit', '0']);
    assert.equal(r.code, 0);
    // two header lines, a blank, the column header, then one line per connection
    assert.equal(r.stdout.trimEnd().split('\n').length, 4 + 34);
  });

  it('flows, list and top list --sort, --reverse and --limit together under Selection options, with the same words', async () => {
    for (const command of ['flows', 'list', 'top']) {
      const help = (await runCli([command, '--help'])).stdout;
      // the Selection group, each option's description on one line
      const selection = help.slice(help.indexOf('\nSelection options:\n'), help.indexOf('\nOutput options:\n')).replace(/\n {10,}/g, ' ');
      const order = selection.split('\n').filter((l) => /^ {2}--(sort|reverse|limit) /.test(l)).map((l) => l.trim().replace(/ {2,}/g, ' | '));
      assert.equal(order.length, 3, command);
      assert.match(order[0]!, /^--sort <key> \| .*; -KEY reverses \(default [^)]+\)$/, command);
      assert.equal(order[1], '--reverse | reverse the order', command);
      assert.match(order[2]!, /^--limit <n> \| show at most N [a-z ]+; 0 = all \(default .+\)$/, command);
    }
  });
});

describe('the sort vocabulary', () => {
  it('names conns as connections, and accepts every name of a key', () => {
    assert.deepStrictEqual(sortKeyNames(['rate', 'conns']), ['rate', 'connections']);
    assert.deepStrictEqual(sortWords(['conns', 'packets']), ['connections', 'conns', 'packets', 'pkts']);
    assert.deepStrictEqual(parseSort('-Conns', ['rate', 'conns']), { key: 'conns', reverse: true });
    assert.deepStrictEqual(parseSort(' connections', ['bytes', 'connections']), { key: 'connections', reverse: false });
    assert.throws(() => parseSort('peer', ['bytes', 'packets']), { message: 'ctflow: --sort: expected one of bytes, packets (prefix - to reverse), got "peer"', exitCode: 2 });
  });

  it('--limit: 0 is all, a count is itself, anything else a usage error', () => {
    assert.equal(limitFrom(undefined), undefined);
    assert.equal(limitFrom('0'), Infinity);
    assert.equal(limitFrom('7'), 7);
    assert.throws(() => limitFrom('-1'), { message: 'ctflow: --limit: expected a whole number ≥ 0, got "-1"', exitCode: 2 });
  });
});
