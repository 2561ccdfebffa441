// --processes for flows: checked with the other options (the live table only: a saved table's
// sockets are gone), then one socket-table read and one fd walk for the flows about to be printed.
// Unused, it costs nothing: nothing here runs and no /proc file is opened.

import type { Command } from 'commander';
import type { HostFlow } from '../aggregate/host-flows.js';
import { flowProcesses, SocketIndex, type FlowProcesses } from '../aggregate/flow-processes.js';
import { usageError } from '../errors.js';
import { ProcessTable } from '../host/processes.js';
import { readSockets } from '../host/sockets.js';
import { isLiveTable, type SourceOptions } from '../source/open-source.js';

export interface ProcessFlags {
  processes?: boolean;
}

export function addProcessesOption(cmd: Command): Command {
  return cmd.option('--processes', "name the process(es) holding each flow's socket on this host, as ss -p (live table only; JSON: process, peer_process)");
}

/** Whether to look processes up; --file/--stdin cannot (their sockets are not this host's now). */
export function processesFrom(flags: ProcessFlags, source: SourceOptions): boolean {
  if (!flags.processes) return false;
  if (!isLiveTable(source)) {
    throw usageError(`ctflow: --processes: needs the live table (this host's sockets now), got ${source.stdin || source.file === '-' ? '--stdin' : '--file'}`);
  }
  return true;
}

/** The flow's identity as text (every field that tells two flows of one table apart). */
const flowKey = (f: HostFlow): string =>
  `${f.direction}|${f.protocol}|${f.family}|${f.local.addr}|${f.local.port}|${f.peer.addr}|${f.peer.port}|${f.natTarget?.addr}|${f.natTarget?.port}`;

/** The processes of each of `flows`, looked up by flow (views included). */
export async function flowProcessLookup(flows: readonly HostFlow[]): Promise<(f: HostFlow) => FlowProcesses> {
  const found = flowProcesses(flows, new SocketIndex(await readSockets()), new ProcessTable());
  const byKey = new Map(flows.map((f, i) => [flowKey(f), found[i]!]));
  const none: FlowProcesses = { process: [], peerProcess: undefined };
  return (f) => byKey.get(flowKey(f)) ?? none;
}
