// Where the bytes of a conntrack table come from: the kernel's proc file (default), a file
// (plain or gzip, told apart by its magic bytes), stdin, or a `conntrack -L` subprocess.
// Every source is an async iterable of Buffers; failures become one plain sentence.
//
// Longer than 250 lines: each kind of source (proc file, file, gzip, stdin, a subprocess) with the
// one sentence each of its failures becomes.

import { spawn } from 'node:child_process';
import { closeSync, fstatSync, open as openFd, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { conntrackMissing } from '../conntrack-missing.js';
import { fileError } from '../file-error.js';
import { CtflowError } from '../errors.js';

export const PROC_CONNTRACK = '/proc/net/nf_conntrack';

export interface SourceOptions {
  /** a path, or '-' for stdin */
  file?: string | undefined;
  stdin?: boolean | undefined;
  /** run `conntrack -L -o extended` */
  exec?: boolean | undefined;
  conntrackBin?: string | undefined;
  /** extra argv for the conntrack subprocess, e.g. ['-f', 'ipv6'] */
  execArgs?: string[] | undefined;
  /** the kernel table to read by default (tests point it elsewhere) */
  procPath?: string | undefined;
  /** where stdin comes from (tests pass their own stream) */
  stdinStream?: NodeJS.ReadableStream | undefined;
  /**
   * the source's bytes, already opened (peekFirstLine): read from here, once, instead of opening
   * it again (a pipe cannot be). Its chunks may share a buffer, as openSource's with `reuse`.
   */
  opened?: AsyncIterable<Buffer> | undefined;
  /** how many bytes `opened` holds, when it is not a file but its size is known (a sorted store's lines) */
  openedBytes?: number | undefined;
  /**
   * ends a read that may never end by itself (watch on stdin, a pipe or a FIFO whose writer goes
   * on): the stream is closed and the read ends quietly
   */
  signal?: AbortSignal | undefined;
}

/** A human name for the source, for messages. */
export function describeSource(opts: SourceOptions): string {
  if (opts.exec) return `${opts.conntrackBin ?? 'conntrack'} -L`;
  if (opts.stdin || opts.file === '-') return 'stdin';
  return opts.file ?? opts.procPath ?? PROC_CONNTRACK;
}

const READ_CHUNK = 1024 * 1024;

/** Unzip when the first bytes are gzip's magic number; pass through otherwise. */
async function* gunzipIfNeeded(input: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  // a reader that stops early (an error, --strict, a closed stdout) must close the file now, not
  // when a garbage collection finds the handle (node warns, and the descriptor stays open)
  try {
    yield* gunzipped(it, name);
  } finally {
    await it.return?.();
  }
}

async function* gunzipped(it: AsyncIterator<Buffer>, name: string): AsyncGenerator<Buffer> {
  const first = await it.next();
  if (first.done) return;
  const head: Buffer = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    // zlib works on a chunk after we hand it over, so it gets copies (the file's chunks may
    // share one buffer)
    async function* whole(): AsyncGenerator<Buffer> {
      yield Buffer.from(head);
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield Buffer.from(r.value);
      }
    }
    // (zlib is loaded only for gzip input: every other run would pay for it at start-up)
    const [{ createGunzip }, { Readable }] = await Promise.all([import('node:zlib'), import('node:stream')]);
    const gunzip = Readable.from(whole()).pipe(createGunzip());
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (err) {
      // cut short (a download or a gzip still being written): what it held is read, and a line
      // it ended inside is cut off like any other source's (parse/conn-records.ts)
      if ((err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
        process.stderr.write(`ctflow: ${name}: the gzip data ends early (truncated); read what it held\n`);
        return;
      }
      throw new CtflowError(`ctflow: cannot read ${name}: not valid gzip data (${(err as Error).message})`, { code: 'EGZIP' });
    }
    return;
  }
  yield* replay([head], it);
}

/**
 * Chunks already read (`head`), then the rest of the same source. A reader that stops early
 * (--strict's first bad line, a closed stdout) returns this generator: that is passed on, or the
 * file stays open until a GC closes it with a warning.
 */
export async function* replay(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await rest.return?.();
  }
}

/**
 * A file in READ_CHUNK reads. With `reuse`, every chunk is the same buffer, refilled: the reader
 * must be done with a chunk before asking for the next (the line splitters copy what they keep).
 * A million-line table is then read through one megabyte instead of 230 one-megabyte buffers that
 * only a garbage collection would free — that garbage was most of the peak RSS.
 */
async function* fromFile(path: string, isProc: boolean, reuse: boolean): AsyncGenerator<Buffer> {
  if (isProc) {
    yield* fromProcFile(path, reuse);
    return;
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fileError(path, err as NodeJS.ErrnoException, isProc);
  }
  // the next read is under way while the reader works on the current chunk (the page cache
  // hands out ~3 GB/s, but one read at a time left the parser waiting ~0.1 s on 230 MB)
  const read = (into: Buffer): Promise<number> => handle.read(into, 0, READ_CHUNK, null).then((r) => r.bytesRead);
  let current = Buffer.allocUnsafeSlow(READ_CHUNK);
  let spare = Buffer.allocUnsafeSlow(READ_CHUNK);
  let pending: Promise<number> | undefined = read(current);
  try {
    for (;;) {
      let n: number;
      try {
        n = await pending;
      } catch (err) {
        throw fileError(path, err as NodeJS.ErrnoException, isProc);
      } finally {
        pending = undefined;
      }
      if (n === 0) return;
      const chunk = current.subarray(0, n);
      if (n === READ_CHUNK) {
        if (!reuse) spare = Buffer.allocUnsafeSlow(READ_CHUNK);
        pending = read(spare);
        [current, spare] = [spare, current];
      } else {
        // a short read: at the end of a regular file, or a file still growing; ask again after
        pending = undefined;
      }
      yield chunk;
      if (pending === undefined) {
        if (!reuse) current = Buffer.allocUnsafeSlow(READ_CHUNK);
        pending = read(current);
      }
    }
  } finally {
    // a reader that stopped early leaves a read in flight: let it end before closing
    await pending?.catch(() => undefined);
    await handle.close();
  }
}

/**
 * The kernel's table: its seq_file hands out about one page per read(), whatever the buffer size
 * (strace: 8,890 reads for 200k entries). One thread-pool round trip per page cost more than the
 * kernel's own work, so the chunk is filled with synchronous reads: ~10 ms of blocking per MB,
 * during which a scan worker goes on parsing the previous chunk.
 */
async function* fromProcFile(path: string, reuse: boolean): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw fileError(path, err as NodeJS.ErrnoException, true);
  }
  try {
    let buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
    for (;;) {
      let filled = 0;
      try {
        for (;;) {
          const n = readSync(fd, buffer, filled, READ_CHUNK - filled, null);
          if (n === 0) break;
          filled += n;
          // stop before a read that could not fit a page
          if (READ_CHUNK - filled < 16384) break;
        }
      } catch (err) {
        throw fileError(path, err as NodeJS.ErrnoException, true);
      }
      if (filled === 0) return;
      yield buffer.subarray(0, filled);
      // let timers and worker messages run between chunks
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!reuse) buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A whole table piped in (`cat T | ctflow … --stdin`): fd 0 read with synchronous reads into one
 * reused buffer, as the kernel's table is. process.stdin's stream hands out a fresh 64 KB buffer
 * per pipe read plus stream bookkeeping (measured 1M lines: ~0.3 s more than reading the file).
 * Blocking is harmless here: the reader wants the whole table, and a scan worker parses the
 * previous chunk meanwhile. Used only for a pipe or a regular file on fd 0 and only while the
 * reads block (an inherited non-blocking pipe says EAGAIN: the rest then comes via the stream).
 */
async function* fromStdinFd(): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
  for (;;) {
    let filled = 0;
    let eof = false;
    try {
      // a pipe gives at most 64 KB a read: gather a few before handing them on, but hand on at
      // once what a short read found (the writer is slower than us: waiting for a full megabyte
      // would hold back what it already wrote, and with it our output)
      while (READ_CHUNK - filled >= 65536) {
        const n = readSync(0, buffer, filled, READ_CHUNK - filled, null);
        if (n === 0) {
          eof = true;
          break;
        }
        filled += n;
        if (n < 65536) break;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      if (filled > 0) yield buffer.subarray(0, filled);
      yield* fromStream(process.stdin);
      return;
    }
    if (filled > 0) yield buffer.subarray(0, filled);
    if (eof) return;
    // let timers and worker messages run between chunks
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** `ctflow … --stdin < /some/dir` reads nothing without an error from the stream: say so. */
function refuseDirectoryOnStdin(): void {
  let dir = false;
  try {
    dir = fstatSync(0).isDirectory();
  } catch {
    // no fd 0 at all: the stream reports that itself
  }
  if (dir) throw new CtflowError('ctflow: cannot read stdin: it is a directory, not a conntrack table', { code: 'EISDIR' });
}

/** Whether fd 0 is a pipe or a regular file (not a terminal or a socket). */
function stdinIsPipeOrFile(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile();
  } catch {
    return false;
  }
}

async function* fromStream(stream: NodeJS.ReadableStream, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (signal?.aborted) return;
  const close = (): void => void (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  signal?.addEventListener('abort', close, { once: true });
  try {
    // a stream of strings (one with an encoding set) holds text: its UTF-8 bytes are the table's
    for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
  } catch (err) {
    // the stream closed by the signal says it ended early: that is what was asked
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', close);
  }
}

/**
 * A pipe or FIFO named by a path (mkfifo, <(…), /dev/stdin on a pipe), read as a stream that the
 * signal can close at once. Read as a file, each read waits in the thread pool for the writer's
 * next bytes, so `watch --file <(conntrack -E) --count 1` kept running until conntrack wrote
 * again. (Whole-table readers keep the file reads: ~2× faster on 230 MB from a pipe.)
 */
async function* fromPipe(path: string, signal: AbortSignal): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    // opening waits for a writer, as reading would
    fd = await new Promise<number>((resolve, reject) => openFd(path, 'r', (err, n) => (err ? reject(err) : resolve(n))));
  } catch (err) {
    throw fileError(path, err as NodeJS.ErrnoException, false);
  }
  const { Socket } = await import('node:net');
  yield* fromStream(new Socket({ fd, readable: true, writable: false }), signal);
}

/** What a path names, following /dev/stdin and /dev/fd/N (a FIFO's stat does not wait for a writer). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined; // reading it says what is wrong
  }
}

/**
 * `--file /dev/stdin` when stdin is a socket (a program's stdio pipe, e.g. node's): a socket
 * cannot be opened by path (ENXIO), so fd 0 is read as --stdin reads it.
 */
function namesStdinSocket(path: string): boolean {
  return (path === '/dev/stdin' || path === '/dev/fd/0' || path === '/proc/self/fd/0') && statOf(path)?.isSocket() === true;
}

/** `conntrack -L -o extended`: its "N flow entries have been shown." on stderr is not an error. */
async function* fromConntrack(bin: string, extraArgs: string[]): AsyncGenerator<Buffer> {
  const args = ['-L', '-o', 'extended', ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const { code, error } = await exited;
  if (error) {
    if (error.code === 'ENOENT') {
      throw conntrackMissing(bin);
    }
    throw new CtflowError(`ctflow: cannot run ${bin}: ${error.message}`, { code: error.code ?? 'EEXEC' });
  }
  if (code !== 0) {
    const said = stderr.trim().split('\n').filter((l) => !/flow entries have been shown/.test(l)).join('; ');
    if (/Operation not permitted|Permission denied/i.test(said)) {
      throw new CtflowError(`ctflow: ${bin} ${args.join(' ')} was refused: ${said}; run as root`, { code: 'EPERM' });
    }
    throw new CtflowError(`ctflow: ${bin} ${args.join(' ')} failed (exit ${code}): ${said || 'no message'}`, { code: 'EEXEC' });
  }
}

/**
 * Whether the source can be read only once: stdin, or a --file naming a pipe (/dev/stdin, <(…)),
 * a socket or a terminal; opened again, a pipe whose writer is done ends at once. The kernel's
 * table, `conntrack -L`, a regular file and a named FIFO (each opening waits for the next writer's
 * table) can be read again.
 */
export function readOnlyOnce(opts: SourceOptions): boolean {
  if (opts.stdin || opts.file === '-') return true;
  if (opts.file === undefined || opts.exec) return false;
  const st = statOf(opts.file);
  if (st === undefined || st.isFile() || st.isDirectory()) return false;
  if (!st.isFIFO()) return true;
  try {
    // a pipe's /proc link names `pipe:[N]`, which no path reaches; a named FIFO resolves
    realpathSync.native(opts.file);
    return false;
  } catch {
    return true;
  }
}

/** Whether the options name the kernel's table as it is now (/proc or `conntrack -L`), not a saved copy. */
export function isLiveTable(opts: SourceOptions): boolean {
  return opts.file === undefined && !opts.stdin;
}

/**
 * The bytes of the table the options name. With `reuse`, a file's chunks share one buffer (see
 * fromFile): only for a consumer that is done with each chunk before it asks for the next.
 */
export function openSource(opts: SourceOptions, reuse = false): AsyncIterable<Buffer> {
  if (opts.opened !== undefined) return opts.opened;
  if (opts.exec) return fromConntrack(opts.conntrackBin ?? 'conntrack', opts.execArgs ?? []);
  if (opts.stdin || opts.file === '-' || (opts.file !== undefined && namesStdinSocket(opts.file))) {
    if (opts.stdinStream === undefined) refuseDirectoryOnStdin();
    // (the process.stdin getter is not touched on the fd path: it would make the pipe non-blocking)
    if (reuse && opts.stdinStream === undefined && stdinIsPipeOrFile()) return gunzipIfNeeded(fromStdinFd(), 'stdin');
    return gunzipIfNeeded(fromStream(opts.stdinStream ?? process.stdin, opts.signal), 'stdin');
  }
  if (opts.file !== undefined) {
    if (opts.signal !== undefined && statOf(opts.file)?.isFIFO() === true) return gunzipIfNeeded(fromPipe(opts.file, opts.signal), opts.file);
    return gunzipIfNeeded(fromFile(opts.file, false, reuse), opts.file);
  }
  const proc = opts.procPath ?? PROC_CONNTRACK;
  return fromFile(proc, true, reuse);
}
