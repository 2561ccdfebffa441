// -m MARK/MASK against conntrack itself, as root in a private network namespace holding one
// entry per mark 0, 0x10, 0x11, 0x1f and 0x110. For each MARK/MASK, `ctflow list` and
// `ctflow delete --dry-run` take exactly the entries `conntrack -L -m MARK/MASK` shows.
//
// What conntrack v1.4.7 does with a MARK that has bits outside MASK (measured here): it compares
// (mark & MASK) with MARK as given, so `-L -m 0x11/0xf0` shows nothing and `-D -m 0x11/0xf0`
// deletes nothing ("0 flow entries have been deleted", exit 1). ctflow refuses such a mark (exit
// 2) instead of reading it as 0x10/0xf0, which took four entries conntrack keeps.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, inNetns, netnsUnavailable, tryInNetns } from '../helpers/netns.js';

const why = netnsUnavailable();
if (why) console.log(`# skipping mark mask integration tests: ${why}`);

/** mark → the original source address of its one entry */
const MARKS = [0, 0x10, 0x11, 0x1f, 0x110];
const source = (i: number): string => `10.77.0.${i + 1}`;

/** MARK/MASK pairs with MARK inside MASK, as typed on the command line */
const PAIRS = [
  '0x10/0xf0', '0x10/0x10', '0x20/0xf0', '0x11', '0x1/0x1', '0/0x100', '0x100/0x100', '0x110/0x1f0', '0xf/0xf', '0/0', '31',
];

/** MARK/MASK pairs with bits of MARK outside MASK */
const STRAY: Array<[string, string]> = [
  ['0x11/0xf0', '0x11 has bits outside the mask 0xf0 (0x1)'],
  ['0x110/0xf', '0x110 has bits outside the mask 0xf (0x110)'],
  ['1/0', '0x1 has bits outside the mask 0x0 (0x1)'],
];

const sorted = (a: string[]): string[] => [...a].sort();

/** The original source addresses of the entries conntrack -L -m PAIR shows. */
function conntrackShows(ns: string, pair: string): string[] {
  const r = tryInNetns(ns, 'conntrack', ['-L', '-m', pair]);
  assert.equal(r.status, 0, r.stderr);
  return sorted(r.stdout.split('\n').filter((l) => l !== '').map((l) => /src=(\S+)/.exec(l)![1]!));
}

interface Row { original: { src: string } }

describe('-m MARK/MASK selects what conntrack -L -m MARK/MASK selects', { skip: why }, () => {
  let ns = '';
  before(() => {
    ns = createNetns('mark');
    MARKS.forEach((mark, i) => inNetns(ns, 'conntrack', [
      '-I', '-p', 'udp', '-s', source(i), '-d', '10.77.1.1', '--sport', '1000', '--dport', '53', '-t', '3600', '--mark', String(mark),
    ]));
  });
  after(() => deleteNetns(ns));

  it('list and delete --dry-run take exactly the entries conntrack shows, for each of eleven MARK/MASK pairs', async () => {
    const got: Array<[string, string[], string[], number | null]> = [];
    const want: Array<[string, string[], string[], number | null]> = [];
    for (const pair of PAIRS) {
      const expected = conntrackShows(ns, pair);
      const [list, dry] = await Promise.all([
        runCli(['list', '-m', pair, '--ndjson'], { netns: ns }),
        runCli(['delete', '-m', pair, '--dry-run', '--json'], { netns: ns }),
      ]);
      const listed = list.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as Row).original.src);
      const matched = (JSON.parse(dry.stdout) as { matched: Row[] }).matched.map((r) => r.original.src);
      got.push([pair, sorted(listed), sorted(matched), dry.code]);
      // delete says "nothing matched" with exit 3
      want.push([pair, expected, expected, expected.length === 0 ? 3 : 0]);
    }
    assert.deepStrictEqual(got, want);
    // and the pairs are not all alike: conntrack's own answers, spelled out
    assert.deepStrictEqual(want.map(([pair, e]) => [pair, e.length]), [
      ['0x10/0xf0', 4], ['0x10/0x10', 4], ['0x20/0xf0', 0], ['0x11', 1], ['0x1/0x1', 2], ['0/0x100', 4],
      ['0x100/0x100', 1], ['0x110/0x1f0', 1], ['0xf/0xf', 1], ['0/0', 5], ['31', 1],
    ]);
  });

  it('a MARK with bits outside MASK: conntrack shows and deletes nothing, ctflow refuses it (exit 2) and deletes nothing', async () => {
    const all = sorted(MARKS.map((_, i) => source(i)));
    for (const [pair, message] of STRAY) {
      assert.deepStrictEqual(conntrackShows(ns, pair), []);
      const [list, dry, del] = await Promise.all([
        runCli(['list', '-m', pair], { netns: ns }),
        runCli(['delete', '-m', pair, '--dry-run'], { netns: ns }),
        runCli(['delete', '-m', pair, '--yes'], { netns: ns }),
      ]);
      const refusal = `ctflow: --mark: ${message}, so it can match no connection, got ${JSON.stringify(pair)}\n`;
      assert.deepStrictEqual([list, dry, del].map((r) => [r.code, r.stdout, r.stderr]), [[2, '', refusal], [2, '', refusal], [2, '', refusal]]);
    }
    assert.deepStrictEqual(conntrackShows(ns, '0/0'), all);
  });

  it('delete -m 0x10/0xf0 --yes removes exactly what conntrack -L -m 0x10/0xf0 showed', async () => {
    const gone = conntrackShows(ns, '0x10/0xf0');
    const keep = conntrackShows(ns, '0/0').filter((s) => !gone.includes(s));
    const r = await runCli(['delete', '-m', '0x10/0xf0', '--yes'], { netns: ns });
    assert.deepStrictEqual([r.code, r.stdout, r.stderr, conntrackShows(ns, '0/0')], [0, 'deleted 4 connections\n', '', keep]);
    assert.deepStrictEqual(keep, [source(0)]);
  });
});
