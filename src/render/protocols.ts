// `ctflow protocols` as a table: the protocols conntrack tracks and their states, or (--live)
// entries per protocol and state.

import type { ProtocolCount } from '../aggregate/protocols.js';
import { compactTable, right } from './compact-table.js';
import type { Palette } from './palette.js';

export function renderProtocols(catalogue: Record<string, string[]>, counts: Record<string, ProtocolCount> | undefined, p: Palette): string {
  if (counts === undefined) {
    const t = compactTable(['Protocol', 'States'], p);
    for (const [proto, states] of Object.entries(catalogue)) t.push([p.proto(proto), states.length === 0 ? p.dim('(none)') : states.join(' ')]);
    return t.toString() + '\n';
  }
  const t = compactTable(['Protocol', 'State', 'Entries'], p);
  for (const [proto, c] of Object.entries(counts)) {
    t.push([p.proto(proto), '', right(c.total)]);
    for (const [state, n] of Object.entries(c.states)) {
      t.push(['', n === 0 ? p.dim(state) : p.state(state), right(n === 0 ? p.dim('0') : n)]);
    }
  }
  return t.toString() + '\n';
}
