// A namespace's conntrack table read back for exact comparisons in delete/update tests.

import { entryKey } from '../../src/kernel/plan-progress.js';
import type { Conn } from '../../src/model.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { inNetns } from './netns.js';

/** The table by entry, without the fields that change by themselves (timeout, use). */
export function netnsTable(ns: string): Map<string, Conn> {
  const map = new Map<string, Conn>();
  for (const line of inNetns(ns, 'cat', ['/proc/net/nf_conntrack']).split('\n')) {
    const c = parseConnLine(line);
    if (c === undefined) continue;
    map.set(entryKey(c), { ...c, timeout: undefined, use: undefined, deltaTime: undefined });
  }
  return map;
}

/** `before` without the entries `gone` selects. */
export function without(before: Map<string, Conn>, gone: (c: Conn) => boolean): Map<string, Conn> {
  return new Map([...before].filter(([, c]) => !gone(c)));
}
