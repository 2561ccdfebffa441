// A boxed, column-aligned table in linear time. It draws exactly what cli-table3 draws with the
// compact style the views use (no rule between rows), but cli-table3's layout is quadratic in the
// number of rows (measured: 5,000 rows 6 s, 20,000 rows 188 s), and a busy host has tens of
// thousands of flows. Widths are measured without ANSI colour codes.
//
// writeBoxTable streams: a first pass over the rows measures the columns, a second pass writes each
// line as it is made. Nothing per row outlives its line (87k flows: 284 MB as one joined string
// of cell objects, under 100 MB streamed), and the bytes are those of renderBoxTable.

export type BoxCell = string | { content: string; hAlign: 'left' | 'right' };

/**
 * One column of a streamed table: its (already coloured) heading and alignment, and how it gives
 * way when the table is wider than the terminal (fitBoxTable): a shorter heading, then dropped
 * (lowest `drop` first), then cut to no less than `min` (lowest `cut` first, with a `~`).
 * A column with neither keeps its width.
 */
export interface BoxColumn {
  head: string;
  right?: boolean;
  short?: string;
  drop?: number;
  cut?: number;
  min?: number;
}

/** A column the fitted table leaves out. */
export const DROPPED = -1;

/**
 * The rows of a streamed table, asked for twice (measure, then write): `cells(i, into)` puts row
 * i's cell texts into `into` (reused across rows; one string per column).
 */
export interface BoxRows {
  count: number;
  cells(row: number, into: string[]): void;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleWidth(s: string): number {
  const w = plainWidth(s);
  return w >= 0 ? w : [...s.replace(ANSI, '')].length;
}

/**
 * The width of text without colour codes and surrogate pairs (nearly every cell), which is as wide
 * as it is long, else -1: no copy of it and no array of its code points (a 4,500-row table: ~30 ms
 * less).
 */
function plainWidth(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 27 || (c >= 0xd800 && c <= 0xdfff)) return -1;
  }
  return s.length;
}

function text(c: BoxCell): string {
  return typeof c === 'string' ? c : c.content;
}

/** The widest cell of each column (headings apart: fitBoxTable weighs them). */
export function measureBoxTable(columns: readonly BoxColumn[], rows: BoxRows): number[] {
  const widths = columns.map(() => 0);
  const cells: string[] = new Array<string>(columns.length).fill('');
  for (let r = 0; r < rows.count; r++) {
    rows.cells(r, cells);
    widenToCells(widths, cells);
  }
  return widths;
}

/** Each column's width raised to its cell's in `cells`, where that is wider. */
export function widenToCells(widths: number[], cells: readonly string[]): void {
  for (let i = 0; i < widths.length; i++) {
    // a cell is never wider than it is long: most cannot widen their column
    const cell = cells[i]!;
    if (cell.length <= widths[i]!) continue;
    const w = visibleWidth(cell);
    if (w > widths[i]!) widths[i] = w;
  }
}

/** runs of spaces made once: padding is made for every cell of every row */
const PADS: string[] = [''];

const spaces = (n: number): string => {
  if (n <= 0) return '';
  if (n > 255) return ' '.repeat(n);
  return (PADS[n] ??= ' '.repeat(n));
};

/** How wide the table is drawn with these column widths (borders and padding included). */
export function boxTableWidth(widths: readonly number[]): number {
  let w = 1;
  for (const x of widths) if (x !== DROPPED) w += x + 3;
  return w;
}

/**
 * Widths that make the table no wider than `maxWidth` (undefined: as measured), giving way in
 * the order the columns say: short headings, then dropped columns, then cut ones. When even that
 * is too wide, the table is as narrow as its columns allow.
 */
export function fitBoxTable(columns: readonly BoxColumn[], cellWidths: readonly number[], maxWidth: number | undefined): number[] {
  const widths = columns.map((c, i) => Math.max(cellWidths[i] ?? 0, visibleWidth(c.head)));
  if (maxWidth === undefined || boxTableWidth(widths) <= maxWidth) return widths;
  columns.forEach((c, i) => {
    if (c.short !== undefined) widths[i] = Math.max(cellWidths[i] ?? 0, visibleWidth(c.short));
  });
  const fitted = (): number[] => {
    // full headings back where the room left allows
    columns.forEach((c, i) => {
      const full = Math.max(cellWidths[i] ?? 0, visibleWidth(c.head));
      if (c.short !== undefined && widths[i] !== DROPPED && full > widths[i]! && boxTableWidth(widths) + full - widths[i]! <= maxWidth) widths[i] = full;
    });
    return widths;
  };
  const order = (key: 'drop' | 'cut'): number[] =>
    columns.map((c, i) => [c[key], i] as const).filter(([k]) => k !== undefined).sort((a, b) => a[0]! - b[0]!).map(([, i]) => i);
  for (const i of order('drop')) {
    if (boxTableWidth(widths) <= maxWidth) return fitted();
    widths[i] = DROPPED;
  }
  // columns cut in tiers (the `cut` number); within a tier the widest loses a character first,
  // so a long ICMP detail is cut before a short address beside it
  const tiers = [...new Set(order('cut').map((i) => columns[i]!.cut!))];
  for (const tier of tiers) {
    const members = columns.map((c, i) => (c.cut === tier && widths[i] !== DROPPED ? i : -1)).filter((i) => i >= 0);
    let over = boxTableWidth(widths) - maxWidth;
    while (over > 0) {
      let widest = -1;
      for (const i of members) if (widths[i]! > (columns[i]!.min ?? 1) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) break;
      widths[widest]!--;
      over--;
    }
    if (over <= 0) return fitted();
  }
  return widths;
}

/** `s` no wider than `w`: cut, with `~` as its last character (colour codes closed). */
export function cutVisible(s: string, w: number): string {
  const plain = plainWidth(s);
  if (plain >= 0) return plain <= w ? s : `${s.slice(0, Math.max(0, w - 1))}~`;
  if (visibleWidth(s) <= w) return s;
  const chars = [...s.replace(ANSI, '')];
  return chars.slice(0, Math.max(0, w - 1)).join('') + '~';
}

/** A table's lines once its column widths are known: the top (rule and headings), a row, the bottom. */
export interface BoxLines {
  top: string;
  row(cells: readonly string[]): string;
  bottom: string;
}

/**
 * The lines of a table whose columns are `widths` wide (measureBoxTable, fitBoxTable). A wider
 * cell is cut to its column (`~`), unless `cut` is false: then it widens its own row (a streamed
 * --wide table, measured on its first rows only, must not lose a later row's address).
 */
export function boxLines(columns: readonly BoxColumn[], widths: readonly number[], cut = true): BoxLines {
  const rule = (left: string, mid: string, right: string): string =>
    left + widths.filter((w) => w !== DROPPED).map((w) => '─'.repeat(w + 2)).join(mid) + right + '\n';
  // the shown columns, their widths and alignment, in arrays the per-row loop reads
  const at = widths.flatMap((w, i) => (w === DROPPED ? [] : [i]));
  const wide = at.map((i) => widths[i]!);
  const right = at.map((i) => columns[i]!.right === true);
  const line = (cells: readonly string[], aligned: boolean): string => {
    let out = '│';
    for (let k = 0; k < at.length; k++) {
      let t = cells[at[k]!] ?? '';
      const w = wide[k]!;
      let visible = visibleWidth(t);
      if (cut && visible > w) {
        // a cut cell loses its colour: the cut could fall inside a colour code
        t = cutVisible(t, w);
        visible = w;
      }
      out += aligned && right[k] ? ' ' + spaces(w - visible) + t + ' │' : ' ' + t + spaces(w - visible) + ' │';
    }
    return out + '\n';
  };
  // headings stand left, as cli-table3 puts them; the short one when the long one does not fit
  const heads = columns.map((c, i) => (c.short !== undefined && visibleWidth(c.head) > widths[i]! ? c.short : c.head));
  return { top: rule('┌', '┬', '┐') + line(heads, false), row: (cells) => line(cells, true), bottom: rule('└', '┴', '┘') };
}

/** Writes the table line by line through `write`, its columns `widths` wide (measureBoxTable, fitBoxTable). */
export function writeBoxTable(write: (text: string) => void, columns: readonly BoxColumn[], rows: BoxRows, widths: readonly number[]): void {
  const lines = boxLines(columns, widths);
  write(lines.top);
  const cells: string[] = new Array<string>(columns.length).fill('');
  for (let r = 0; r < rows.count; r++) {
    rows.cells(r, cells);
    write(lines.row(cells));
  }
  write(lines.bottom);
}

/** The whole table as one string, from cells made beforehand (small tables). */
export function renderBoxTable(head: readonly string[], rows: readonly (readonly BoxCell[])[]): string {
  let n = head.length;
  for (const row of rows) n = Math.max(n, row.length);
  const columns: BoxColumn[] = [];
  for (let i = 0; i < n; i++) {
    const firstRight = rows.find((row) => typeof row[i] === 'object');
    const cell = firstRight?.[i];
    columns.push({ head: head[i] ?? '', right: typeof cell === 'object' && cell.hAlign === 'right' });
  }
  const boxRows: BoxRows = {
    count: rows.length,
    cells: (r, into) => {
      for (let i = 0; i < n; i++) into[i] = rows[r]![i] === undefined ? '' : text(rows[r]![i]!);
    },
  };
  let out = '';
  writeBoxTable((t) => (out += t), columns, boxRows, fitBoxTable(columns, measureBoxTable(columns, boxRows), undefined));
  return out;
}
