// Which processes hold which sockets, the way `ss -p` finds out: every /proc/PID/fd/N that is a
// socket links to `socket:[INODE]`. One walk per run, and only for the inodes asked about (the
// sockets a printed flow can own), so a host with many processes costs one readlink per open fd
// and nothing is kept of the rest. A process that exits during the walk is skipped; one whose fds
// we may not read (not root) is too, as ss does.
//
// The socket tables are those of the network namespace ctflow runs in, so only processes in that
// namespace are walked (one readlink of /proc/PID/ns/net each): on a host full of containers, or
// for ctflow run in a namespace of the host, their fds are never listed. (A process that moved to
// another namespace after opening a socket here is missed; ss -p would name it.)

import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { containerOfCgroup, dockerName, type Container } from './containers.js';

export interface ProcessInfo {
  pid: number;
  /** /proc/PID/comm: the name ps and ss show (at most 15 characters) */
  comm: string;
  /** the owner of /proc/PID (its effective user), by name from /etc/passwd, else the number */
  user: string;
  container: Container | null;
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/** The pids holding each of `inodes` (a socket shared after fork has several), ascending. */
export function socketPids(inodes: ReadonlySet<number>, procDir = '/proc'): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (inodes.size === 0) return out;
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return out;
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  const netns = linkOf(join(procDir, 'self', 'ns', 'net'));
  for (const pid of pids) {
    if (netns !== undefined && linkOf(join(procDir, String(pid), 'ns', 'net')) !== netns) continue;
    const fdDir = join(procDir, String(pid), 'fd');
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(join(fdDir, fd));
      } catch {
        continue;
      }
      const m = SOCKET_LINK.exec(link);
      if (m === null) continue;
      const inode = Number(m[1]);
      if (!inodes.has(inode)) continue;
      const holders = out.get(inode);
      if (holders === undefined) out.set(inode, [pid]);
      else if (holders[holders.length - 1] !== pid) holders.push(pid);
    }
  }
  return out;
}

/** Where a symbolic link points, or undefined when it cannot be read. */
function linkOf(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** uid → user name, from /etc/passwd (read once). */
function userNames(passwd = '/etc/passwd'): Map<number, string> {
  const out = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]!) && !out.has(Number(f[2]))) out.set(Number(f[2]), f[0]!);
  }
  return out;
}

/** Process details, each read once per run. */
export class ProcessTable {
  private readonly cache = new Map<number, ProcessInfo | null>();
  private users: Map<number, string> | undefined;

  constructor(private readonly procDir = '/proc') {}

  /** The process, or null when it has gone since the walk. */
  info(pid: number): ProcessInfo | null {
    let p = this.cache.get(pid);
    if (p !== undefined) return p;
    const dir = join(this.procDir, String(pid));
    try {
      const comm = readFileSync(join(dir, 'comm'), 'utf8').replace(/\n$/, '');
      const uid = statSync(dir).uid;
      this.users ??= userNames();
      let cgroup = '';
      try {
        cgroup = readFileSync(join(dir, 'cgroup'), 'utf8');
      } catch {
        // no cgroup file (a kernel without cgroups): a host process
      }
      p = { pid, comm, user: this.users.get(uid) ?? String(uid), container: containerOfCgroup(cgroup, dockerName) ?? null };
    } catch {
      p = null;
    }
    this.cache.set(pid, p);
    return p;
  }
}
