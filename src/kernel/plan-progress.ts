// What a delete/update has achieved so far, read back from the table. conntrack's own report of a
// run it did not finish cannot be trusted for this: it prints no count, and -U prints only some of
// the entries it changed (measured: 85 lines for 256 changes).

import type { Conn } from '../model.js';
import { markAfterUpdate, type MarkMask } from './conntrack-invocation.js';

/** What identifies one entry: family, protocol, original tuple and zones. */
export function entryKey(c: Conn): string {
  const o = c.original;
  return [c.family, c.protonum, o.src, o.dst, o.sport, o.dport, o.type, o.code, o.id, o.srckey, o.dstkey, c.zone, o.zone, c.reply.zone].join(' ');
}

export interface Progress {
  /** changed as planned: gone (delete), or carrying the new mark (update) */
  done: Conn[];
  /** still as they were read: present (delete), or present without the new mark (update) */
  left: Conn[];
  /** update only: no longer in the table, so neither updated nor left to update */
  vanished: Conn[];
}

/**
 * Sort the planned entries by what the table `now` says of them. `mark` undefined means a delete.
 * An update counts only the entries it has to change: those already carrying their new mark are
 * skipped by conntrack -U, and here.
 */
export function progressOf(entries: readonly Conn[], mark: MarkMask | undefined, now: ReadonlyMap<string, Conn>): Progress {
  const p: Progress = { done: [], left: [], vanished: [] };
  for (const c of entries) {
    const after = now.get(entryKey(c));
    if (mark === undefined) {
      (after === undefined ? p.done : p.left).push(c);
      continue;
    }
    const target = markAfterUpdate(c.mark, mark);
    if (c.mark === target) continue;
    if (after === undefined) p.vanished.push(c);
    else (after.mark === target ? p.done : p.left).push(c);
  }
  return p;
}
