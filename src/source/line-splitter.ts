// Turns chunks of bytes into lines, cut at newline bytes with indexOf (measured faster than
// split2's default regex, see STYLE.md §6). A line's text is made by lineText (UTF-8, as every
// source's is); cutting the bytes first means a character split between two chunks is still
// whole in its line. A line longer than `maxLine` bytes is not a conntrack entry: it is reported
// as overlong, not buffered without bound, so memory stays flat whatever the input.

import { lineText } from './line-text.js';

export const MAX_LINE = 16 * 1024;

export interface LineSink {
  /** one complete line, without its newline (a trailing CR is left for the parser) */
  line(text: string): void;
  /** a line over the length limit was dropped */
  overlong(): void;
}

/** ByteLineSplitter's lines as text. */
export class LineSplitter {
  private readonly bytes: ByteLineSplitter;

  constructor(sink: LineSink, maxLine = MAX_LINE) {
    this.bytes = new ByteLineSplitter({ line: (buf, start, end) => sink.line(lineText(buf, start, end)), overlong: () => sink.overlong() }, maxLine);
  }

  push(chunk: Buffer): void {
    this.bytes.push(chunk);
  }

  /** the last line, when the input does not end with a newline */
  end(): void {
    this.bytes.end();
  }
}

export interface ByteLineSink {
  /** one complete line: the bytes `buf[start, end)`, without the newline (a trailing CR is kept) */
  line(buf: Buffer, start: number, end: number): void;
  /** a line over the length limit was dropped */
  overlong(): void;
  /**
   * the last line, when the input ended inside it (no newline after it: a file still being
   * written, a truncated download); without this method it goes to `line`
   */
  cut?(buf: Buffer, start: number, end: number): void;
}

/**
 * Lines without making a string per line: the sink gets the chunk and the line's byte range, so
 * the fast parser reads bytes where they lie. Only a line that straddles two chunks is copied
 * (into a buffer of its own).
 */
export class ByteLineSplitter {
  private carry: Buffer | undefined;
  private skipping = false;

  constructor(private readonly sink: ByteLineSink, private readonly maxLine = MAX_LINE) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carry !== undefined || this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.hold(chunk, 0);
        return;
      }
      if (this.skipping) {
        this.skipping = false;
      } else {
        const line = Buffer.concat([this.carry!, chunk.subarray(0, nl)]);
        if (line.length > this.maxLine) this.sink.overlong();
        else this.sink.line(line, 0, line.length);
      }
      this.carry = undefined;
      start = nl + 1;
    }
    const max = this.maxLine;
    const sink = this.sink;
    let nl = chunk.indexOf(10, start);
    while (nl >= 0) {
      if (nl - start > max) sink.overlong();
      else sink.line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.hold(chunk, start);
  }

  /**
   * Stops here without ending: the start of a line not yet complete (to be read on elsewhere),
   * and whether the splitter was inside an overlong line (already counted).
   */
  detach(): { rest: Buffer | undefined; skipping: boolean } {
    const out = { rest: this.carry, skipping: this.skipping };
    this.carry = undefined;
    this.skipping = false;
    return out;
  }

  /** the last line, when the input does not end with a newline */
  end(): void {
    if (this.carry !== undefined) {
      if (this.sink.cut !== undefined) this.sink.cut(this.carry, 0, this.carry.length);
      else this.sink.line(this.carry, 0, this.carry.length);
    }
    this.carry = undefined;
    this.skipping = false;
  }

  private hold(chunk: Buffer, from: number): void {
    if (this.skipping) return;
    // a copy, so the (large) chunk it came from is not kept alive
    const tail = this.carry === undefined ? Buffer.from(chunk.subarray(from)) : Buffer.concat([this.carry, chunk.subarray(from)]);
    if (tail.length > this.maxLine) {
      this.sink.overlong();
      this.carry = undefined;
      this.skipping = true;
    } else {
      this.carry = tail;
    }
  }
}
