// cli-table3's boxed, compact layout (┌─┬─┐ / │ a │ b │ / └─┴─┘, one space of padding, no row
// separators), drawn directly. cli-table3 lays out a few thousand rows in seconds (its
// fillInTable checks every cell against every span); this is one pass to measure and one to
// write. It only draws what it can draw exactly as cli-table3 would — single-line cells of
// printable ASCII, "→", and one chalk colour around a cell — and returns undefined otherwise, so callers fall
// back to cli-table3 (test/render/box-table.test.ts compares both on random tables).

export type BoxCell = string | { hAlign: 'right'; content: string };

/** The reset code for each colour/style code chalk opens. */
function closes(open: number): number {
  if (open === 1 || open === 2) return 22;
  if (open === 3) return 23;
  if (open === 4) return 24;
  if ((open >= 30 && open <= 37) || (open >= 90 && open <= 97)) return 39;
  if ((open >= 40 && open <= 47) || (open >= 100 && open <= 107)) return 49;
  return -1;
}

const WRAPPED = /^\x1b\[(\d+)m([^\x1b]*)\x1b\[(\d+)m$/;

/** Display width of a cell, or -1 when it has a character this renderer does not measure. */
function width(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 27) return wrappedWidth(text);
    if ((c < 32 || c > 126) && c !== 0x2192) return -1;
    n++;
  }
  return n;
}

/** One colour as chalk writes it (open, text, its own close) is drawn as is by cli-table3. */
function wrappedWidth(text: string): number {
  const m = WRAPPED.exec(text);
  if (m === null || closes(Number(m[1])) !== Number(m[3])) return -1;
  return width(m[2]!);
}

export function renderBoxTable(head: readonly string[], rows: readonly (readonly BoxCell[])[]): string | undefined {
  const columns = head.length;
  const widths = head.map((h) => width(h));
  if (widths.some((w) => w < 0)) return undefined;
  const cellWidths: number[][] = [];
  for (const row of rows) {
    if (row.length !== columns) return undefined;
    const ws: number[] = [];
    for (let i = 0; i < columns; i++) {
      const cell = row[i]!;
      const w = width(typeof cell === 'string' ? cell : cell.content);
      if (w < 0) return undefined;
      ws.push(w);
      if (w > widths[i]!) widths[i] = w;
    }
    cellWidths.push(ws);
  }
  const line = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const out: string[] = [line('┌', '┬', '┐')];
  out.push('│' + head.map((h, i) => ` ${h}${' '.repeat(widths[i]! - width(h))} `).join('│') + '│');
  rows.forEach((row, r) => {
    let text = '│';
    for (let i = 0; i < columns; i++) {
      const cell = row[i]!;
      const pad = ' '.repeat(widths[i]! - cellWidths[r]![i]!);
      text += typeof cell === 'string' ? ` ${cell}${pad} │` : ` ${pad}${cell.content} │`;
    }
    out.push(text);
  });
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}
