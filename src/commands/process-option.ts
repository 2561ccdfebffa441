// --processes for flows: checked with the other options (the live table only: a saved table's
// sockets are gone), then one socket-table read and one fd walk before anything is printed.
// Unused, it costs nothing: nothing here runs and no /proc file is opened.

import type { Command } from 'commander';
import type { HostFlow } from '../aggregate/host-flows.js';
import { connSockets, SocketIndex, socketOwners, type FlowProcesses } from '../aggregate/flow-processes.js';
import { discoverLocalAddresses } from '../host/local-addresses.js';
import type { ProcessInfo } from '../host/processes.js';
import type { Conn } from '../model.js';
import { usageError } from '../errors.js';
import { ProcessTable } from '../host/processes.js';
import { readSockets } from '../host/sockets.js';
import { isLiveTable, type SourceOptions } from '../source/open-source.js';
import { inGroup, OUTPUT } from './help-groups.js';

export interface ProcessFlags {
  processes?: boolean;
}

export function addProcessesOption(cmd: Command): Command {
  return inGroup(cmd, OUTPUT, (c) => c.option('--processes', "name the process(es) holding this host's socket of each row, as ss -p (live table only; JSON: process)"));
}

/** Whether to look processes up; --file/--stdin cannot (their sockets are not this host's now). */
export function processesFrom(flags: ProcessFlags, source: SourceOptions): boolean {
  if (!flags.processes) return false;
  if (!isLiveTable(source)) {
    throw usageError(`ctflow: --processes: needs the live table (this host's sockets now), got ${source.stdin || source.file === '-' ? '--stdin' : '--file'}`);
  }
  return true;
}

/** The processes of a flow's ends, for each flow printed: the sockets are read and walked once, first. */
export async function flowProcessLookup(): Promise<(f: HostFlow) => FlowProcesses> {
  const sockets = await readSockets();
  const index = new SocketIndex(sockets);
  const owners = socketOwners(sockets, new ProcessTable());
  return (f) => {
    const s = index.flowSockets(f);
    return { process: owners(s.own), peerProcess: f.direction === 'local' ? owners(s.peer) : undefined };
  };
}

/** list's lookup: each connection's ends (connSockets), matched as it is printed, so NDJSON still streams. */
export async function connProcessLookup(): Promise<(c: Conn) => readonly ProcessInfo[]> {
  const sockets = await readSockets();
  const index = new SocketIndex(sockets);
  const owners = socketOwners(sockets, new ProcessTable());
  const local = discoverLocalAddresses();
  return (c) => owners(connSockets(index, c, local));
}
