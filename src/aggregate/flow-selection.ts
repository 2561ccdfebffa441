// The flow-level options (--active/--passive/--local-flows/--forward, --aport, --pport,
// --listening) compiled once into one predicate over finished flows.

import type { Direction, HostFlow } from './host-flows.js';

export interface FlowSelection {
  /** directions to keep; empty = all */
  directions?: readonly Direction[];
  /** remote ports of active flows to keep (--aport); empty = all */
  activePorts?: ReadonlySet<number>;
  /** local ports of passive flows to keep (--pport); empty = all */
  passivePorts?: ReadonlySet<number>;
  /** "protocol/port" keys with a listening socket (--listening): passive flows without one go */
  listening?: ReadonlySet<string>;
}

/** The predicate when no flow-level option is given (callers may skip filtering for it). */
export const KEEP_ALL = (_f: HostFlow): boolean => true;

/** Compile the flow-level options once into a predicate. */
export function compileFlowSelection(sel: FlowSelection): (f: HostFlow) => boolean {
  const dirs = sel.directions && sel.directions.length > 0 ? new Set(sel.directions) : undefined;
  const aports = sel.activePorts && sel.activePorts.size > 0 ? sel.activePorts : undefined;
  const pports = sel.passivePorts && sel.passivePorts.size > 0 ? sel.passivePorts : undefined;
  const listening = sel.listening;
  if (dirs === undefined && aports === undefined && pports === undefined && listening === undefined) return KEEP_ALL;
  return (f) => {
    if (dirs && !dirs.has(f.direction)) return false;
    if (f.direction === 'active' && aports && !(typeof f.peer.port === 'number' && aports.has(f.peer.port))) return false;
    if (f.direction === 'passive') {
      if (pports && !(typeof f.local.port === 'number' && pports.has(f.local.port))) return false;
      if (listening && !listening.has(`${f.protocol}/${String(f.local.port)}`)) return false;
    }
    return true;
  };
}
