// Byte rows kept in the order they come, for a sorted list to read back in another order: the
// lines of a sorted store (conn-store.ts) and the cell rows of its table (scan/sorted-list.ts).
// Each row is copied into one growing arena of byte chunks (a million rows as strings or
// buffers of their own cost the garbage collector most of the time); beside them, per row, only
// its place and length in typed arrays that grow in pages (no doubling copy, whose two live
// copies set the peak). `gather` copies the rows of an order back out, in batches ended by
// newlines, so that a scan reads them as it reads a table.

/** bytes of rows per batch that `gather` hands out */
const BATCH = 1 << 18;
/** rows whose first bytes are read ahead of their copies (sealed: touch) */
const TOUCH_AHEAD = 32;
/** rows per page of the place and length arrays, after the first */
const PAGE = 1 << 16;
/** arena chunks grow to this size; a row's place is chunk * CHUNK_SPAN + offset */
export const CHUNK_MAX = 8 << 20;
const CHUNK_SPAN = 1 << 24;
const CHUNK_MIN = 64 << 10;

const EMPTY = new Float64Array(0);
const EMPTY32 = new Uint32Array(0);

/** Rows by position (the order they were kept in), read back. */
export interface KeptRows {
  readonly length: number;
  /** calls `read` with row r's bytes: a buffer and the range within it */
  row<T>(r: number, read: (buf: Buffer, start: number, end: number) => T): T;
  /** the rows `order[from]`…`order[to - 1]`, each ended by a newline */
  gather(order: Uint32Array, from: number, to: number): GatheredRows;
}

/** Rows of an order as bytes to read (see KeptRows.gather). */
export interface GatheredRows {
  bytes: number;
  /** batches of whole rows; one buffer, refilled: each must be read before the next is asked for */
  chunks: AsyncIterable<Buffer>;
}

export class LineArena {
  private n = 0;
  private readonly chunks: Buffer[] = [];
  /** the chunk `keep` copies into, chunks[at] */
  private chunk: Buffer = Buffer.allocUnsafeSlow(CHUNK_MIN);
  private at = 0;
  private fill = 0;
  private readonly posPages: Float64Array[] = [];
  private readonly lenPages: Uint32Array[] = [];
  private pos = EMPTY;
  private len = EMPTY32;
  private pageStart = 0;
  private pageEnd = 0;

  /**
   * `capacity`: how many rows there may be at most, when known: the first page is that long, so
   * the arrays need no joining, and the part never written to costs no memory (the kernel maps
   * it in when first touched). `page`: the length of the pages after it (tests make it small).
   * `warm`: where full-size chunks (CHUNK_MAX) come from when it has one ready
   * (scan/page-warmer.ts), else they are allocated here.
   */
  constructor(private readonly capacity = 0, private readonly page = PAGE, private readonly warm?: () => Buffer | undefined) {
    this.chunks.push(this.chunk);
  }

  /** Keeps the bytes [start, end) of `buf` as the next row. */
  keep(buf: Buffer, start: number, end: number): void {
    const room = this.room(end - start);
    this.keepWritten(this.fill + buf.copy(room, this.fill, start, end));
  }

  /**
   * Room for a row of at most `max` bytes written in place: returns the chunk to write it into,
   * from `roomAt`; `keepWritten` then keeps what was written there as the next row.
   */
  room(max: number): Buffer {
    if (this.fill + max > this.chunk.length) this.newChunk(max);
    return this.chunk;
  }

  /** Where a row asked for with `room` begins in its chunk. */
  get roomAt(): number {
    return this.fill;
  }

  /** Keeps the row written into `room` up to `end` (its chunk's offset past its last byte). */
  keepWritten(end: number): void {
    this.place(this.at * CHUNK_SPAN + this.fill, end - this.fill);
    this.fill = end;
  }

  /**
   * Keeps each newline-ended row of `buf` with no copy (a last row without one is not kept), or
   * with `pairs` the second row of each two: `buf` becomes a chunk of its own, and must not
   * change after (a buffer the caller gives up, such as a scan's kept output). `each` is shown
   * every row, kept or not, in order (`buf[start, end)`): the caller reads them in the same pass.
   */
  keepChunk(buf: Buffer, pairs = false, each?: (buf: Buffer, start: number, end: number) => void): void {
    // (a place holds an offset below CHUNK_SPAN: rows of a bigger buffer are copied)
    const big = buf.length > CHUNK_SPAN;
    if (!big) this.chunks.push(buf);
    const base = (this.chunks.length - 1) * CHUNK_SPAN;
    let skip = pairs;
    for (let from = 0, nl = buf.indexOf(10); nl >= 0; from = nl + 1, nl = buf.indexOf(10, from)) {
      each?.(buf, from, nl);
      if (skip) {
        skip = false;
        continue;
      }
      skip = pairs;
      if (big) this.keep(buf, from, nl);
      else this.place(base + from, nl - from);
    }
  }

  private place(at: number, length: number): void {
    if (this.n === this.pageEnd) this.newPages();
    const j = this.n - this.pageStart;
    this.n++;
    this.pos[j] = at;
    this.len[j] = length;
  }

  private newChunk(length: number): void {
    // chunks grow with the rows: a small table's stay small, a big one's are a few dozen
    const size = Math.max(Math.min(CHUNK_MAX, Math.max(CHUNK_MIN, this.chunks.length * this.chunk.length)), length);
    this.chunk = (size === CHUNK_MAX ? this.warm?.() : undefined) ?? Buffer.allocUnsafeSlow(size);
    this.at = this.chunks.push(this.chunk) - 1;
    this.fill = 0;
  }

  /** The rows kept, to read back (no more are kept after this). */
  sealed(): KeptRows {
    const n = this.n;
    const pos = join(this.posPages, n, Float64Array);
    const len = join(this.lenPages, n, Uint32Array);
    this.pos = EMPTY;
    this.len = EMPTY32;
    const chunks = this.chunks;
    const place = (r: number): [Buffer, number] => {
      const p = pos[r]!;
      const k = Math.floor(p / CHUNK_SPAN);
      return [chunks[k]!, p - k * CHUNK_SPAN];
    };
    return {
      length: n,
      row(r, read) {
        const [chunk, off] = place(r);
        return read(chunk, off, off + len[r]!);
      },
      gather(order, from, to) {
        let bytes = 0;
        for (let i = from; i < to; i++) bytes += len[order[i]!]! + 1;
        // the rows of an order are read at random across the arena, and nearly each one's first
        // byte is a cache and TLB miss: a group's first bytes read in a loop of their own wait for
        // their misses together, not one copy after another (in a micro-benchmark, 1M rows of 60
        // bytes gathered in 0.16 s instead of 0.30 s)
        let touched = 0;
        const touch = (first: number, last: number): void => {
          for (let i = first; i < last; i++) {
            const p = pos[order[i]!]!;
            const k = Math.floor(p / CHUNK_SPAN);
            touched ^= chunks[k]![p - k * CHUNK_SPAN]!;
          }
        };
        async function* batches(): AsyncGenerator<Buffer> {
          // a row is at most MAX_LINE bytes, far below a batch
          const batch = Buffer.allocUnsafeSlow(BATCH);
          let fill = 0;
          for (let i = from; i < to; i++) {
            if ((i - from) % TOUCH_AHEAD === 0) touch(i, Math.min(to, i + TOUCH_AHEAD));
            const r = order[i]!;
            const p = pos[r]!;
            const k = Math.floor(p / CHUNK_SPAN);
            const off = p - k * CHUNK_SPAN;
            const length = len[r]!;
            if (fill + length + 1 > BATCH) {
              yield batch.subarray(0, fill);
              fill = 0;
              // a file's read lets worker messages in between chunks; a copy in memory must too
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
            chunks[k]!.copy(batch, fill, off, off + length);
            fill += length;
            batch[fill++] = 10;
          }
          if (fill > 0) yield batch.subarray(0, fill);
        }
        return { bytes, chunks: batches() };
      },
    };
  }

  private newPages(): void {
    const size = this.n === 0 ? Math.max(this.page, this.capacity) : this.page;
    this.pageStart = this.n;
    this.pageEnd = this.n + size;
    this.pos = new Float64Array(size);
    this.len = new Uint32Array(size);
    this.posPages.push(this.pos);
    this.lenPages.push(this.len);
  }
}

/** Pages joined into one array of exactly n values (the first page itself when it holds them all). */
export function join<A extends Float64Array | Uint16Array | Uint32Array>(pages: A[], n: number, make: new (n: number) => A): A {
  if (pages.length === 1) return pages.pop()!.subarray(0, n) as A;
  const out = new make(n);
  let from = 0;
  for (const page of pages) {
    const count = Math.min(page.length, n - from);
    out.set(count === page.length ? page : page.subarray(0, count), from);
    from += count;
  }
  pages.length = 0;
  return out;
}
