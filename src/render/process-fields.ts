// How --processes shows a flow's processes: JSON `process` (null, one object, or a list when
// several hold the socket) and `peer_process` for local flows; `comm[pid]` text for the table
// and CSV, with the container after it (`nginx[812] (docker web)`).

import type { FlowProcesses } from '../aggregate/flow-processes.js';
import type { Container } from '../host/containers.js';
import type { ProcessInfo } from '../host/processes.js';

export interface ProcessJson {
  pid: number;
  comm: string;
  user: string;
  container: Container | null;
}

const one = (p: ProcessInfo): ProcessJson => ({ pid: p.pid, comm: p.comm, user: p.user, container: p.container });

export function processJson(list: readonly ProcessInfo[]): ProcessJson | ProcessJson[] | null {
  if (list.length === 0) return null;
  return list.length === 1 ? one(list[0]!) : list.map(one);
}

/** The JSON fields a flow gains: `process`, and `peer_process` for a local flow. */
export function flowProcessFields(fp: FlowProcesses): { process: ReturnType<typeof processJson>; peer_process?: ReturnType<typeof processJson> } {
  return fp.peerProcess === undefined ? { process: processJson(fp.process) } : { process: processJson(fp.process), peer_process: processJson(fp.peerProcess) };
}

function containerText(c: Container): string {
  return `${c.runtime} ${c.name ?? c.id}`;
}

/** `sshd[812], sshd[1650]`; empty when no process holds the socket. */
export function processText(list: readonly ProcessInfo[]): string {
  return list.map((p) => `${p.comm}[${p.pid}]${p.container === null ? '' : ` (${containerText(p.container)})`}`).join(', ');
}

/** A flow's processes as one cell: the local end's, then `↔` and the client's for a local flow. */
export function flowProcessText(fp: FlowProcesses): string {
  const own = processText(fp.process);
  return fp.peerProcess === undefined || fp.peerProcess.length === 0 ? own : `${own} ↔ ${processText(fp.peerProcess)}`;
}
