// Counting from the table what an interrupted delete/update did: which planned entries changed,
// which are left as they were, which left the table meanwhile.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entryKey, progressOf } from '../../src/kernel/plan-progress.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import type { Conn } from '../../src/model.js';

/** One udp entry from 10.0.0.1:PORT with MARK, as the kernel prints it. */
function udp(port: number, mark: number): Conn {
  const c = parseConnLine(`ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=${port} dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport=${port} mark=${mark} zone=0 use=2`);
  assert.ok(c);
  return c;
}

const table = (conns: Conn[]): Map<string, Conn> => new Map(conns.map((c) => [entryKey(c), c]));
const ports = (cs: Conn[]): Array<number | undefined> => cs.map((c) => c.original.sport);

test('entryKey tells zones apart and ignores counters', () => {
  const a = parseConnLine('tcp      6 3599 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 packets=1 bytes=60 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=1')!;
  const b = parseConnLine('tcp      6 10 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 packets=9 bytes=900 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=3 use=2')!;
  const z = parseConnLine('tcp      6 3599 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 zone=7 use=1')!;
  assert.deepStrictEqual([entryKey(a) === entryKey(b), entryKey(a) === entryKey(z)], [true, false]);
});

test('delete: gone is done, still there is left', () => {
  const planned = [udp(1, 0), udp(2, 0), udp(3, 0)];
  const p = progressOf(planned, undefined, table([udp(2, 0), udp(9, 0)]));
  assert.deepStrictEqual([ports(p.done), ports(p.left), ports(p.vanished)], [[1, 3], [2], []]);
});

test('update: done means the new mark (old & ~MASK) ^ MARK; already there needs nothing; flipped back or gone is not done', () => {
  // --set-mark 0x10/0xf0 on marks 0x01, 0x10 (already there), 0x21, 0x31, 0x41
  const planned = [udp(1, 0x01), udp(2, 0x10), udp(3, 0x21), udp(4, 0x31), udp(5, 0x41)];
  const now = table([udp(1, 0x11), udp(2, 0x10), udp(3, 0x21), udp(4, 0x11)]);
  const p = progressOf(planned, { value: 0x10, mask: 0xf0 }, now);
  assert.deepStrictEqual([ports(p.done), ports(p.left), ports(p.vanished)], [[1, 4], [3], [5]]);
  // 0x10/0xf: the XOR flips bit 4, so an entry changed twice is back where it was: left
  const flip = progressOf([udp(1, 0), udp(2, 0)], { value: 0x10, mask: 0xf }, table([udp(1, 0x10), udp(2, 0)]));
  assert.deepStrictEqual([ports(flip.done), ports(flip.left)], [[1], [2]]);
});
