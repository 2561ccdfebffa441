// The first line of a source, looked at without losing it: the bytes read to find it are handed
// out again, first, by the source returned. A pipe, a FIFO, /dev/stdin or a process substitution
// can be read only once and at no offset (a positional read of one fails with ESPIPE), so a
// command that must see what a source holds before choosing how to read it (stats: a table, or
// kernel counters) opens it once, here.

import { openSource, replay, type SourceOptions } from './open-source.js';

/** How far to look for the first line that is not blank. */
const PEEK_BYTES = 4096;

/**
 * The first non-blank line within the first PEEK_BYTES (gunzipped), or undefined when there is
 * none; and the source to read in full, from its first byte, once. Its chunks may share a buffer
 * (read it with readTable, readLines or runScan, which are done with a chunk before the next).
 */
export async function peekFirstLine(opts: SourceOptions): Promise<{ firstLine: string | undefined; source: SourceOptions }> {
  const it = openSource(opts, true)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  try {
    while (length < PEEK_BYTES) {
      const r = await it.next();
      if (r.done) break;
      // copied: the next read may refill the buffer this chunk lives in
      head.push(Buffer.from(r.value));
      length += r.value.length;
    }
  } catch (err) {
    await it.return?.();
    throw err;
  }
  const text = Buffer.concat(head).subarray(0, PEEK_BYTES).toString('latin1');
  const firstLine = text.split('\n').find((l) => l.trim().length > 0);
  return { firstLine, source: { ...opts, opened: replay(head, it) } };
}
