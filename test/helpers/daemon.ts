// A daemon started for one test (netdata, prometheus-node-exporter) and stopped afterwards by
// its own process-group id, never by name. Detached so the group holds the daemon's helpers too.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface Daemon {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startDaemon(cmd: string, args: string[]): Daemon {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-20000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-20000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    async stop() {
      if (child.pid === undefined || child.exitCode !== null) return;
      const signal = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // the group is gone already
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      signal('SIGKILL'); // helpers the daemon left in its group
    },
  };
}

/** Why a binary cannot run here, or undefined when it can. */
export function missingBinary(cmd: string, args: string[], pkg: string): string | undefined {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error ? `needs ${cmd} (apt-get install ${pkg})` : undefined;
}

/** Poll `probe` every 250 ms until it returns a value or `ms` pass. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number, what: string, log: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${ms} ms\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
