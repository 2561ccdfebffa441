// The progress line of a delete/update on a terminal: "ctflow: delete: conntrack run 2 of 4,
// 2311 deleted so far" on stderr, redrawn at most ten times a second and erased when the change
// ends. Never when stderr is not a terminal (the caller decides).

import type { ChangeProgress } from '../kernel/change-table.js';
import { redrawnLine } from '../parse/read-progress.js';

export function changeProgressText(action: 'delete' | 'update', p: ChangeProgress): string {
  return `ctflow: ${action}: conntrack run ${p.run} of ${p.runs}, ${p.changed} ${action === 'delete' ? 'deleted' : 'updated'} so far`;
}

export interface ChangeProgressLine {
  update(p: ChangeProgress): void;
  /** erase the line */
  done(): void;
}

export function changeProgressLine(stream: NodeJS.WritableStream, action: 'delete' | 'update', now: () => number = Date.now): ChangeProgressLine {
  const line = redrawnLine(stream, now);
  return { update: (p) => line.draw(() => changeProgressText(action, p)), done: () => line.done() };
}
