// The full-screen terminal of `ctflow top`: alternate screen, hidden cursor, raw keys; and the
// promise that the terminal comes back as it was whatever happens: restore() runs on quit, on
// SIGINT/SIGTERM (handled by top), on a thrown error (top's finally), and as a last resort on
// process exit. restore() is idempotent.

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[?1049l\x1b[?25h';

export interface Terminal {
  readonly columns: number;
  readonly rows: number;
  /** replace the screen with these lines (each already cut to the width) */
  draw(lines: string[]): void;
  onKey(handler: (key: string) => void): void;
  onResize(handler: () => void): void;
  restore(): void;
}

export function openTerminal(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout): Terminal {
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      if (input.isTTY) input.setRawMode(false);
    } catch {
      // the tty may be gone already; nothing left to restore on it
    }
    input.pause();
    output.write(LEAVE);
    process.off('exit', restore);
  };
  process.on('exit', restore);
  output.write(ENTER);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();

  return {
    get columns() {
      return output.columns || 80;
    },
    get rows() {
      return output.rows || 24;
    },
    draw(lines) {
      // raw mode turns off output post-processing: lines end in CR LF, each clears its own rest
      output.write(`\x1b[H${lines.join('\x1b[K\r\n')}\x1b[K\x1b[J`);
    },
    onKey(handler) {
      input.on('data', (data: string) => {
        // an escape sequence (arrow keys, …) is one key we do not use; Escape alone is a key
        if (data.length > 1 && data.charCodeAt(0) === 27) return;
        for (const ch of data) handler(ch);
      });
    },
    onResize(handler) {
      output.on('resize', handler);
    },
    restore,
  };
}
