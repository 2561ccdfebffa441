// `ctflow protocols`: the protocols conntrack tracks and the states each can be in, as the
// NethServer API listed them but complete, plus (with --live) how many entries of a table are in
// each protocol and state. The catalogue itself is PROTOCOL_STATES in model.ts.

import { PROTOCOL_STATES, type Conn } from '../model.js';

/** protocol → its states (empty for protocols without states), a fresh copy each call. */
export function protocolCatalogue(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [protocol, states] of Object.entries(PROTOCOL_STATES)) out[protocol] = [...states];
  return out;
}

export interface ProtocolCount {
  total: number;
  /** every catalogued state, 0 when absent, in catalogue order; states the catalogue lacks follow */
  states: Record<string, number>;
}

export interface ProtocolCounter {
  add(c: Conn): void;
  /** every catalogued protocol (0 when absent), then protocols the table holds beyond it (esp, …) */
  finish(): Record<string, ProtocolCount>;
}

export function createProtocolCounter(): ProtocolCounter {
  const counts = new Map<string, { total: number; states: Map<string, number> }>();
  return {
    add(c: Conn): void {
      let p = counts.get(c.protocol);
      if (p === undefined) {
        p = { total: 0, states: new Map() };
        counts.set(c.protocol, p);
      }
      p.total++;
      if (c.state !== undefined) p.states.set(c.state, (p.states.get(c.state) ?? 0) + 1);
    },
    finish(): Record<string, ProtocolCount> {
      const out: Record<string, ProtocolCount> = {};
      const catalogue = protocolCatalogue();
      const names = [...Object.keys(catalogue), ...[...counts.keys()].filter((n) => !(n in catalogue)).sort()];
      for (const name of names) {
        const seen = counts.get(name);
        const states: Record<string, number> = {};
        for (const s of catalogue[name] ?? []) states[s] = seen?.states.get(s) ?? 0;
        for (const [s, n] of seen?.states ?? []) if (!(s in states)) states[s] = n;
        out[name] = { total: seen?.total ?? 0, states };
      }
      return out;
    },
  };
}
