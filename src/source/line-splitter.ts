// Turns chunks of bytes into lines. conntrack text is ASCII, so chunks are decoded as latin1
// (one byte = one char, no multi-byte sequence can straddle a chunk edge) and cut with
// indexOf('\n'), which measured faster than split2's default regex (see STYLE.md §6).
// A line longer than `maxLine` is not a conntrack entry: it is reported as overlong, not
// buffered without bound, so memory stays flat whatever the input.

export const MAX_LINE = 16 * 1024;

export interface LineSink {
  /** one complete line, without its newline (a trailing CR is left for the parser) */
  line(text: string): void;
  /** a line over the length limit was dropped */
  overlong(): void;
}

export class LineSplitter {
  private rest = '';
  private skipping = false;

  constructor(private readonly sink: LineSink, private readonly maxLine = MAX_LINE) {}

  push(chunk: Buffer): void {
    const text = chunk.toString('latin1');
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl >= 0 && (this.rest !== '' || this.skipping)) {
      if (this.skipping) {
        this.skipping = false;
      } else {
        const joined = this.rest + text.slice(0, nl);
        if (joined.length > this.maxLine) this.sink.overlong();
        else this.sink.line(joined);
      }
      this.rest = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      if (nl - start > this.maxLine) this.sink.overlong();
      else this.sink.line(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      if (this.skipping) return;
      const tail = this.rest + text.slice(start);
      if (tail.length > this.maxLine) {
        this.sink.overlong();
        this.rest = '';
        this.skipping = true;
      } else {
        this.rest = tail;
      }
    }
  }

  /** the last line, when the input does not end with a newline */
  end(): void {
    if (this.rest !== '') this.sink.line(this.rest);
    this.rest = '';
    this.skipping = false;
  }
}
