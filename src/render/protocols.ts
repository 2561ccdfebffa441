// `ctflow protocols` as a table: the protocols conntrack tracks and their states, or (--live)
// entries per protocol and state.

import type { ProtocolCount } from '../aggregate/protocols.js';
import { compactTable, right } from './compact-table.js';
import type { Palette } from './palette.js';

/** Words joined by spaces into lines no longer than `width` (a longer word has a line of its own). */
export function wordLines(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + w.length <= width) lines[last] += ` ${w}`;
    else lines.push(w);
  }
  return lines;
}

/** `width`: the widest a line may be (undefined: as wide as the contents). */
export function renderProtocols(catalogue: Record<string, string[]>, counts: Record<string, ProtocolCount> | undefined, p: Palette, width?: number): string {
  if (counts === undefined) {
    const t = compactTable(['Protocol', 'States'], p);
    // the states of a protocol go on as many lines as the width needs (tcp's are 100 columns)
    const protoWidth = Math.max('Protocol'.length, ...Object.keys(catalogue).map((k) => k.length));
    const room = width === undefined ? Infinity : Math.max(12, width - protoWidth - 7);
    for (const [proto, states] of Object.entries(catalogue)) {
      if (states.length === 0) t.push([p.proto(proto), p.dim('(none)')]);
      else wordLines(states, room).forEach((line, i) => t.push([i === 0 ? p.proto(proto) : '', line]));
    }
    return t.render(width) + '\n';
  }
  const t = compactTable(['Protocol', 'State', 'Entries'], p);
  for (const [proto, c] of Object.entries(counts)) {
    t.push([p.proto(proto), '', right(c.total)]);
    for (const [state, n] of Object.entries(c.states)) {
      t.push(['', n === 0 ? p.dim(state) : p.state(state), right(n === 0 ? p.dim('0') : n)]);
    }
  }
  return t.render(width) + '\n';
}
