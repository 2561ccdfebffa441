// The progress line of a delete/update on a terminal: "ctflow: delete: conntrack run 2 of 4,
// 2311 deleted so far" on stderr, redrawn at most ten times a second and erased when the change
// ends. Never when stderr is not a terminal (the caller decides).

import type { ChangeProgress } from '../kernel/change-table.js';

const REDRAW_MS = 100;

export function changeProgressText(action: 'delete' | 'update', p: ChangeProgress): string {
  return `ctflow: ${action}: conntrack run ${p.run} of ${p.runs}, ${p.changed} ${action === 'delete' ? 'deleted' : 'updated'} so far`;
}

export interface ChangeProgressLine {
  update(p: ChangeProgress): void;
  /** erase the line */
  done(): void;
}

export function changeProgressLine(stream: NodeJS.WritableStream, action: 'delete' | 'update', now: () => number = Date.now): ChangeProgressLine {
  let last = -Infinity;
  let shown = false;
  return {
    update(p) {
      const t = now();
      if (t - last < REDRAW_MS) return;
      last = t;
      shown = true;
      stream.write(`\r${changeProgressText(action, p)}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
