// Private network namespaces for integration tests: never the host's own conntrack table.
// Each test gets a fresh namespace, deleted afterwards even when the test fails.

import { execFileSync, spawnSync } from 'node:child_process';

/** Why integration tests cannot run here, or undefined when they can. */
/**
 * Why namespace tests cannot run here, or undefined. `needNft`: the test turns conntrack on with
 * an nftables rule (enableConntrack), so nft must be installed too.
 */
export function netnsUnavailable(needConntrack = true, needNft = false): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and conntrack)';
  if (spawnSync('ip', ['-V']).error) return 'needs iproute2 (ip)';
  if (needConntrack && spawnSync('conntrack', ['--version']).error) return 'needs conntrack-tools (apt-get install conntrack)';
  if (needNft && spawnSync('nft', ['--version']).error) return 'needs nftables (apt-get install nftables) to turn conntrack on in a namespace';
  const probe = `ctflow-probe-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe]);
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.toString().trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

let counter = 0;

export function createNetns(tag = 't'): string {
  const name = `ctflow-test-${process.pid}-${tag}-${counter++}`;
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name]);
}

/** Run a command inside the namespace (argv, no shell); returns stdout, throws on failure. */
export function inNetns(ns: string, cmd: string, args: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Run inside the namespace, returning status and both streams without throwing. */
export function tryInNetns(ns: string, cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Make sure conntrack is loaded in the namespace: a rule with ct state registers the hooks. */
export function enableConntrack(ns: string, { acct = true } = {}): void {
  inNetns(ns, 'nft', ['-f', '-'], [
    'table inet ctflowtest {',
    '  chain out { type filter hook output priority 0; ct state new accept; }',
    '  chain in { type filter hook input priority 0; ct state new accept; }',
    '}',
    '',
  ].join('\n'));
  inNetns(ns, 'sysctl', ['-qw', `net.netfilter.nf_conntrack_acct=${acct ? 1 : 0}`]);
}
