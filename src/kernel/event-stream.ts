// Where `watch` gets its lines: a `conntrack -E -o timestamp` subprocess (argv array, never a
// shell), or saved event text from a file or stdin. conntrack reports lost events only as a
// warning on stderr ("WARNING: We have hit ENOBUFS! …") and keeps listening, so stderr is read
// line by line: each warning is one `lost()`, the rest of its chatter (the advice that follows,
// the NOTICE about the buffer size, the "N flow events have been shown." trailer) is dropped, and
// anything else is kept to quote if conntrack fails.
//
// stop() kills the subprocess and waits for it to be gone, so no conntrack is left behind.

import { spawn, type ChildProcess } from 'node:child_process';
import { conntrackMissing } from '../conntrack-missing.js';
import { CtflowError } from '../errors.js';
import { isLostEventsLine, shownEventsCount, type EventType } from '../parse/event-line.js';
import { LineSplitter } from '../source/line-splitter.js';
import { readLines } from '../source/read-lines.js';

export interface EventSourceOptions {
  /** saved event text: a path, or '-' for stdin */
  file?: string | undefined;
  stdin?: boolean | undefined;
  stdinStream?: NodeJS.ReadableStream | undefined;
  conntrackBin?: string | undefined;
  /** extra argv for conntrack -E, after ctflow's own */
  execArgs?: string[] | undefined;
  /** netlink socket buffer size in bytes (conntrack -b) */
  bufferSize?: number | undefined;
  /** only these event types (conntrack -e) */
  eventMask?: EventType[] | undefined;
}

export interface EventSink {
  /**
   * one line of event text (not necessarily an event: the caller parses it), with its number in
   * the input (conntrack's stdout, or the file: lost-events warnings kept in a file count too)
   */
  line(text: string, lineNumber: number): void;
  /** a line over the length limit was dropped unread */
  overlong(lineNumber: number): void;
  /** conntrack said it lost events */
  lost(): void;
}

export interface EventStream {
  /** the conntrack subprocess, when there is one */
  readonly pid: number | undefined;
  /** settles when the source ends by itself: the file is read, or conntrack exited */
  readonly done: Promise<void>;
  /** ends the source; for conntrack: SIGTERM, SIGKILL after a grace period, and waits for exit */
  stop(): Promise<void>;
}

const KILL_GRACE_MS = 2000;

/** The argv of the conntrack subprocess (after the binary). Pure, so tests can assert it. */
export function eventArgv(opts: EventSourceOptions): string[] {
  const args = ['-E', '-o', 'timestamp'];
  if (opts.eventMask !== undefined) args.push('-e', opts.eventMask.map((t) => t.toUpperCase()).join(','));
  if (opts.bufferSize !== undefined) args.push('-b', String(opts.bufferSize));
  if (opts.execArgs !== undefined) args.push(...opts.execArgs);
  return args;
}

/**
 * conntrack's own lines that are neither an event, a failure nor a lost-events warning: blank
 * lines, the advice after an ENOBUFS warning, the NOTICE about the buffer size, the "N flow events
 * have been shown." trailer. On stderr they are dropped; in saved text (`2>&1`) they are not
 * unparseable input.
 */
export function isEventChatter(line: string): boolean {
  return (
    line.trim() === '' ||
    shownEventsCount(line) !== undefined ||
    line.startsWith('NOTICE: ') ||
    line.startsWith('This message means that the current netlink socket buffer size') ||
    line.startsWith('Please, check --buffer-size')
  );
}

export function openEventStream(opts: EventSourceOptions, sink: EventSink): EventStream {
  if (opts.file !== undefined || opts.stdin) return fromText(opts, sink);
  return fromConntrack(opts, sink);
}

function fromText(opts: EventSourceOptions, sink: EventSink): EventStream {
  let stopped = false;
  let lineNumber = 0;
  // a live pipe (`conntrack -E | ctflow watch --stdin`, `--file <(conntrack -E)`) never ends by
  // itself: stop() closes it
  const reading = new AbortController();
  const done = readLines(
    { file: opts.file, stdin: opts.stdin, stdinStream: opts.stdinStream, signal: reading.signal },
    (line) => {
      if (stopped) return;
      lineNumber++;
      // a capture made with `2>&1` carries conntrack's warnings in the text
      if (line === undefined) sink.overlong(lineNumber);
      else if (isLostEventsLine(line)) sink.lost();
      else sink.line(line, lineNumber);
    },
  ).then(
    () => undefined,
    (err: unknown) => {
      if (!stopped) throw err;
    },
  );
  return {
    pid: undefined,
    done,
    async stop() {
      stopped = true;
      reading.abort();
    },
  };
}

function fromConntrack(opts: EventSourceOptions, sink: EventSink): EventStream {
  const bin = opts.conntrackBin ?? 'conntrack';
  const args = eventArgv(opts);
  const shown = `${bin} ${args.join(' ')}`;
  let stopping = false;
  let exited = false;
  const complaints: string[] = [];

  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // however ctflow ends — including process.exit() when the reader of its output went away
  // (`ctflow watch | head`), which skips stop() — conntrack goes with it: on a quiet table it
  // would otherwise wait, orphaned, until its next event write fails
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  child.once('close', () => process.off('exit', killOnExit));
  let lineNumber = 0;
  const out = new LineSplitter({ line: (t) => sink.line(t, ++lineNumber), overlong: () => sink.overlong(++lineNumber) });
  const err = new LineSplitter({
    line(t) {
      if (isLostEventsLine(t)) sink.lost();
      else if (!isEventChatter(t) && complaints.length < 5) complaints.push(t.trim());
    },
    overlong: () => undefined,
  });
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));

  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      exited = true;
      if (e.code === 'ENOENT') {
        reject(conntrackMissing(bin));
      } else {
        reject(new CtflowError(`ctflow: cannot run ${bin}: ${e.message}`, { code: e.code ?? 'ESPAWN' }));
      }
    });
    child.on('close', (code, signal) => {
      exited = true;
      out.end();
      err.end();
      if (stopping || code === 0) return resolve();
      const why = code !== null ? `exit ${code}` : `signal ${signal}`;
      const said = complaints.length > 0 ? `: ${complaints.join(' / ')}` : '';
      const hint = complaints.some((c) => /not permitted/i.test(c)) ? ' (run as root: sudo ctflow watch)' : '';
      reject(new CtflowError(`ctflow: ${shown} failed (${why})${said}${hint}`, { code: 'ECONNTRACK' }));
    });
  });

  return {
    pid: child.pid,
    done,
    async stop() {
      stopping = true;
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, KILL_GRACE_MS);
        await done.catch(() => undefined);
        clearTimeout(timer);
      }
      await done.catch(() => undefined);
    },
  };
}
