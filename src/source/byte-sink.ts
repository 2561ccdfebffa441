// Where a scan job writes its ordered output as bytes (writers such as render/conn-json-bytes.ts
// fill `buf` from `pos` after reserving room). The output sink (output.ts) is one; a scan batch's
// growing buffer (GrowBuffer, below) is the other. Buffers are reused, never made per record:
// fresh buffers per batch were what made NDJSON through a worker cost 284 MB (README).

export interface ByteSink {
  buf: Buffer;
  pos: number;
  /** make `n` bytes free at `pos` (may replace `buf`) */
  reserve(n: number): void;
  /** text after the bytes already written */
  write(text: string): void;
}

/**
 * A batch's output: grows by doubling, handed out whole, refilled from a pool of spent buffers.
 * `exact`: each take is a copy of just the bytes written, and the buffer stays (for a caller that
 * keeps every batch's output: a whole buffer each would keep ten times the bytes).
 */
export class GrowBuffer implements ByteSink {
  buf: Buffer;
  pos = 0;
  private readonly pool: ArrayBuffer[] = [];

  constructor(private readonly size: number, private readonly exact = false) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  write(text: string): void {
    // a UTF-16 unit is at most 3 bytes of UTF-8
    this.reserve(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /**
   * The bytes written since the last take, in a buffer that now belongs to the caller (it may be
   * transferred to another thread); give it back with recycle() once written out.
   */
  take(): Buffer {
    if (this.exact) {
      const copy = Buffer.allocUnsafeSlow(this.pos);
      this.buf.copy(copy, 0, 0, this.pos);
      this.pos = 0;
      return copy;
    }
    const out = this.buf.subarray(0, this.pos);
    const next = this.pool.pop();
    this.buf = next !== undefined && next.byteLength >= this.size ? Buffer.from(next) : Buffer.allocUnsafeSlow(Math.max(this.size, this.buf.length));
    this.pos = 0;
    return out;
  }

  recycle(ab: ArrayBuffer): void {
    // the buffers in circulation are bounded by the batches in flight; a buffer dropped here
    // would stay allocated until a GC finds it (that cost more memory than keeping it)
    if (this.pool.length < 8 && ab.byteLength > 0) this.pool.push(ab);
  }
}
