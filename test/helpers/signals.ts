// Waiting until a process has installed its handler for a signal (the SigCgt mask in
// /proc/PID/status), so a test's signal never races the program's start-up.
//
// Not for SIGINT or SIGTERM: node catches both itself from start-up (to restore the terminal
// before dying of them), so their bits are set before any handler of ctflow's exists and the mask
// says nothing. For those, wait for something ctflow does after installing its handler (its first
// output line, its opening of a FIFO: see test/commands/stats.test.ts).

import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export async function waitForSignalHandler(pid: number, signal: NodeJS.Signals, timeoutMs = 20_000): Promise<void> {
  if (signal === 'SIGINT' || signal === 'SIGTERM') throw new Error(`waitForSignalHandler cannot see a handler for ${signal}: node catches it from start-up`);
  const bit = BigInt(1) << BigInt(constants.signals[signal] - 1);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (caught !== undefined && (BigInt(`0x${caught}`) & bit) !== BigInt(0)) return;
    } catch {
      // not started yet, or gone: keep waiting until the deadline
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} did not catch ${signal} within ${timeoutMs} ms`);
}
