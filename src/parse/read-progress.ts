// The progress line for big sources: on a terminal, reading more than ~50 MB shows
// "ctflow: reading FILE: 120 MB of 230 MB (52%), 410 MB/s" on stderr, redrawn at most ten
// times a second and erased when reading ends, so the terminal is left as if it never appeared.
// Never on a pipe: not when stderr is not a terminal, and not when machine output (--json,
// --ndjson, --csv) goes to a non-terminal (a script is reading it).

import { openSync, readSync, closeSync, statSync } from 'node:fs';
import type { SourceOptions } from '../source/open-source.js';

export const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;
const REDRAW_MS = 100;

export interface ProgressContext {
  stderrIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** json, ndjson, csv: output meant for a program */
  machineOutput: boolean;
  /** bytes the source will deliver, when known */
  total: number | undefined;
}

export function progressWanted(ctx: ProgressContext): boolean {
  if (!ctx.stderrIsTTY) return false;
  if (ctx.machineOutput && !ctx.stdoutIsTTY) return false;
  return ctx.total !== undefined && ctx.total > PROGRESS_MIN_BYTES;
}

const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;

/** The text of one progress line. */
export function progressText(name: string, bytes: number, total: number, seconds: number): string {
  const pct = Math.min(100, Math.floor((bytes / total) * 100));
  const rate = seconds > 0 ? `, ${Math.round(bytes / 1e6 / seconds)} MB/s` : '';
  return `ctflow: reading ${name}: ${mb(bytes)} of ${mb(total)} (${pct}%)${rate}`;
}

/** Size of a plain regular file the source reads (gzip delivers more bytes than it holds: none). */
export function sourceSize(source: SourceOptions): number | undefined {
  if (source.file === undefined || source.file === '-' || source.stdin || source.exec) return undefined;
  try {
    const st = statSync(source.file);
    if (!st.isFile()) return undefined;
    const fd = openSync(source.file, 'r');
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    closeSync(fd);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b ? undefined : st.size;
  } catch {
    return undefined; // the read itself will report it
  }
}

export interface Progress {
  update(bytes: number): void;
  /** erase the line */
  done(): void;
}

/** One line on `stream`, redrawn at most ten times a second; `done` erases it if it was drawn. */
export interface RedrawnLine {
  /** draw the text `text(t)` makes for time `t`, unless the last draw was under 100 ms ago */
  draw(text: (t: number) => string): void;
  done(): void;
}

export function redrawnLine(stream: NodeJS.WritableStream, now: () => number = Date.now): RedrawnLine {
  let last = 0;
  let shown = false;
  return {
    draw(text) {
      const t = now();
      if (t - last < REDRAW_MS) return;
      last = t;
      shown = true;
      stream.write(`\r${text(t)}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

export function createProgress(stream: NodeJS.WriteStream, name: string, total: number, now: () => number = Date.now): Progress {
  const started = now();
  const line = redrawnLine(stream, now);
  return {
    update: (bytes) => line.draw((t) => progressText(name, bytes, total, (t - started) / 1000)),
    done: () => line.done(),
  };
}

/** The source options with a progress line attached when one is wanted; call `done` after reading. */
export function withProgress<O extends SourceOptions & { onProgress?: ((bytes: number) => void) | undefined }>(
  source: O, machineOutput: boolean,
): { source: O; done(): void } {
  const total = sourceSize(source);
  const wanted = progressWanted({
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    machineOutput,
    total,
  });
  if (!wanted) return { source, done: () => undefined };
  const progress = createProgress(process.stderr, source.file!, total!);
  return { source: { ...source, onProgress: (bytes) => progress.update(bytes) }, done: () => progress.done() };
}
