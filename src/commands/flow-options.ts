// The flags that select host flows (--active/--passive/--local-flows/--forward, --aport, --pport,
// --listening, --proc-net), declared once so flows and top spell and check them the same way.
// They act on flows, after grouping (aggregate/flow-selection.ts); the connection filters
// (options.ts) act before it.

import { Command } from 'commander';
import { compileFlowSelection, type FlowSelection } from '../aggregate/flow-selection.js';
import type { Direction, HostFlow } from '../aggregate/host-flows.js';
import { parsePortOrService } from '../host/services.js';
import { listeningPortKeys, readListeningSockets } from '../host/listening.js';
import { collect } from './options.js';
import { inGroup, SELECTION } from './help-groups.js';

export interface FlowSelectionFlags {
  active?: boolean;
  passive?: boolean;
  localFlows?: boolean;
  forward?: boolean;
  aport?: string[];
  pport?: string[];
  listening?: boolean;
  procNet?: string;
}


export function addFlowSelectionOptions(cmd: Command): Command {
  return inGroup(cmd, SELECTION, (c) => c
    .option('--active', 'show active flows (this host connects out, -->)')
    .option('--passive', 'show passive flows (peers connect in, <--)')
    .option('--local-flows', 'show local flows (both ends are this host, <->)')
    .option('--forward', 'show forwarded flows (neither end is this host, ==>)')
    .option('--aport <port>', 'only active flows to this remote port or service name (repeatable, comma lists)', collect)
    .option('--pport <port>', 'only passive flows to this local port or service name (repeatable, comma lists)', collect)
    .option('--listening', 'only passive flows whose port has a listening socket now (/proc/net/{tcp,udp}{,6})')
    .option('--proc-net <dir>', 'read listening sockets for --listening from DIR/{tcp,tcp6,udp,udp6} (default /proc/net)'));
}

function parsePorts(values: string[] | undefined, what: string): Set<number> {
  const out = new Set<number>();
  for (const v of values ?? []) for (const part of v.split(',')) out.add(parsePortOrService(part, what));
  return out;
}

/** The selection the flags ask for, checked now (before anything is read); listening sockets are read by `compileSelection`. */
export function flowSelectionFrom(flags: FlowSelectionFlags): FlowSelection {
  const directions: Direction[] = [];
  if (flags.active) directions.push('active');
  if (flags.passive) directions.push('passive');
  if (flags.localFlows) directions.push('local');
  if (flags.forward) directions.push('forward');
  return { directions, activePorts: parsePorts(flags.aport, '--aport'), passivePorts: parsePorts(flags.pport, '--pport') };
}

/**
 * The predicate over flows, with the sockets listening now when --listening is given (top calls
 * this at every reading: a service that starts or stops shows up in the next frame).
 */
export async function compileSelection(selection: FlowSelection, flags: FlowSelectionFlags): Promise<(f: HostFlow) => boolean> {
  const listening = flags.listening ? listeningPortKeys(await readListeningSockets(flags.procNet)) : undefined;
  return compileFlowSelection({ ...selection, listening });
}
