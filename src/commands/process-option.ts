// --processes for flows: checked with the other options (the live table only: a saved table's
// sockets are gone), then one socket-table read and one fd walk for the flows about to be printed.
// Unused, it costs nothing: nothing here runs and no /proc file is opened.

import type { Command } from 'commander';
import type { HostFlow } from '../aggregate/host-flows.js';
import { connSockets, flowProcesses, SocketIndex, type FlowProcesses } from '../aggregate/flow-processes.js';
import { discoverLocalAddresses } from '../host/local-addresses.js';
import type { ProcessInfo } from '../host/processes.js';
import type { Conn } from '../model.js';
import { usageError } from '../errors.js';
import { ProcessTable, socketPids } from '../host/processes.js';
import { readSockets } from '../host/sockets.js';
import { isLiveTable, type SourceOptions } from '../source/open-source.js';

export interface ProcessFlags {
  processes?: boolean;
}

export function addProcessesOption(cmd: Command): Command {
  return cmd.option('--processes', "name the process(es) holding this host's socket of each row, as ss -p (live table only; JSON: process)");
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

/**
 * list's lookup: every socket's processes found in one walk before the table is read (a streamed
 * list cannot wait for its rows), then each connection's ends matched as it is printed.
 */
export async function connProcessLookup(): Promise<(c: Conn) => ProcessInfo[]> {
  const sockets = await readSockets();
  const index = new SocketIndex(sockets);
  const pids = socketPids(new Set(sockets.map((s) => s.inode)));
  const table = new ProcessTable();
  const local = discoverLocalAddresses();
  return (c) => {
    const found = new Set<number>();
    for (const inode of connSockets(index, c, local)) for (const pid of pids.get(inode) ?? []) found.add(pid);
    return [...found].sort((a, b) => a - b).flatMap((pid) => table.info(pid) ?? []);
  };
}
