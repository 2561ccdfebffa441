// How the bytes of a line become text, and which text may name a field. Every source (the
// kernel's file, a file, gzip, stdin, `conntrack -L`/`-E`, in this thread or a scan worker) makes
// its lines' strings here, so a helper name, a label or an unknown field reads the same from all
// of them. The fast byte path (parse/conn-bytes.ts) makes no strings: it accepts only ASCII words it
// knows and leaves any other line to parseConnLine, which reads the text made here.

/**
 * The bytes `buf[start, end)` as UTF-8 text: `helper=fé` reads as `fé`. A byte sequence that is
 * not UTF-8 becomes U+FFFD, as TextDecoder replaces it; it never fails the line. Lines are cut at
 * newlines, which no multi-byte character contains, so a character is never split between lines.
 */
export function lineText(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end);
}

/**
 * Whether `text[from, to)` holds a control character (Unicode's Cc: U+0000–U+001F, DEL, and the
 * C1 controls U+0080–U+009F). A key or a name with one is no field conntrack prints: such a line
 * is unparseable. (A value may hold one; text outputs escape it, render/terminal-text.ts.)
 */
export function hasControl(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || (c >= 127 && c <= 159)) return true;
  }
  return false;
}
