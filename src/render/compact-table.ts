// The small tables of stats and protocols: a border but no rule between rows, headers in the
// palette's header style, numbers right-aligned. Drawn by box-table.ts (what cli-table3 drew,
// byte for byte) so that they fit the terminal as the big tables do.

import { fitBoxTable, measureBoxTable, writeBoxTable, type BoxCell, type BoxColumn } from './box-table.js';
import type { Palette } from './palette.js';

export interface CompactTable {
  push(row: BoxCell[]): void;
  /** the table, no wider than `width` when its columns allow (undefined: as wide as its contents) */
  render(width: number | undefined): string;
}

/** `give`: how each column gives way on a narrow terminal (box-table.ts BoxColumn). */
export function compactTable(head: string[], p: Palette, give: readonly Omit<BoxColumn, 'head' | 'right'>[] = []): CompactTable {
  const rows: BoxCell[][] = [];
  return {
    push: (row) => rows.push(row),
    render(width) {
      const columns: BoxColumn[] = head.map((h, i) => ({
        ...give[i],
        head: p.header(h),
        // a column is right-aligned when its cells are (headings stand left)
        right: rows.some((r) => typeof r[i] === 'object' && (r[i] as { hAlign: string }).hAlign === 'right'),
      }));
      const boxRows = {
        count: rows.length,
        cells(r: number, into: string[]) {
          for (let i = 0; i < head.length; i++) {
            const c = rows[r]![i] ?? '';
            into[i] = typeof c === 'string' ? c : c.content;
          }
        },
      };
      let out = '';
      writeBoxTable((t) => (out += t), columns, boxRows, fitBoxTable(columns, measureBoxTable(columns, boxRows), width));
      return out.slice(0, -1);
    },
  };
}

/** A right-aligned cell. */
export function right(content: string | number): BoxCell {
  return { hAlign: 'right', content: String(content) };
}
