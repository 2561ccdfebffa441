// The container a process runs in, named from its cgroup path (/proc/PID/cgroup), the way
// systemd-cgls and `docker top` see it: Docker (docker-ID.scope, /docker/ID), containerd's CRI
// (cri-containerd-ID.scope), CRI-O (crio-ID.scope), Podman (libpod-ID.scope), Kubernetes pods
// (kubepod…pod<UID>…) and LXC (lxc.payload.NAME, /lxc/NAME). A Docker container's name comes from
// its config.v2.json when this host's Docker keeps it readable; others are known by id.

import { readFileSync } from 'node:fs';

export interface Container {
  runtime: 'docker' | 'containerd' | 'cri-o' | 'podman' | 'lxc';
  /** the first 12 hex digits, as `docker ps` shows them (an LXC container: its name) */
  id: string;
  name: string | null;
  /** the Kubernetes pod's UID, when the cgroup path names one */
  pod: string | null;
}

const ID = '([0-9a-f]{64})';
const RUNTIMES: readonly [RegExp, Container['runtime']][] = [
  [new RegExp(`(?:^|/)docker-${ID}\\.scope`), 'docker'],
  [new RegExp(`/docker/${ID}(?:/|$)`, 'm'), 'docker'],
  [new RegExp(`(?:^|/)cri-containerd-${ID}\\.scope`), 'containerd'],
  [new RegExp(`(?:^|/)crio-${ID}\\.scope`), 'cri-o'],
  [new RegExp(`(?:^|/)libpod-${ID}\\.scope`), 'podman'],
  // cgroupfs-driven kubelets: /kubepods/burstable/pod<UID>/<ID>
  [new RegExp(`/kubepods[^\\n]*/pod[0-9a-f_-]+/${ID}(?:/|$)`, 'm'), 'containerd'],
];
const POD = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;
const LXC = /(?:lxc\.payload\.|\/lxc\/)([^/\n]+)/;

/** The container named by the text of /proc/PID/cgroup, or undefined for a process of the host. */
export function containerOfCgroup(text: string, dockerName: (id: string) => string | null = () => null): Container | undefined {
  for (const [re, runtime] of RUNTIMES) {
    const m = re.exec(text);
    if (m === null) continue;
    const pod = POD.exec(text);
    const id = m[1]!;
    return { runtime, id: id.slice(0, 12), name: runtime === 'docker' ? dockerName(id) : null, pod: pod === null ? null : pod[1]!.replace(/_/g, '-') };
  }
  const lxc = LXC.exec(text);
  return lxc === null ? undefined : { runtime: 'lxc', id: lxc[1]!, name: lxc[1]!, pod: null };
}

/** Docker's name for a container (without the leading /), when its config is readable here. */
export function dockerName(id: string, root = '/var/lib/docker'): string | null {
  try {
    const config = JSON.parse(readFileSync(`${root}/containers/${id}/config.v2.json`, 'utf8')) as { Name?: unknown };
    return typeof config.Name === 'string' ? config.Name.replace(/^\//, '') : null;
  } catch {
    return null;
  }
}
