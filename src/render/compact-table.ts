// The tables of stats and protocols: cli-table3 with a border but no rule between rows, headers in
// the palette's header style, numbers right-aligned.

import Table from 'cli-table3';
import type { Palette } from './palette.js';

export function compactTable(head: string[], p: Palette): Table.Table {
  return new Table({
    head: head.map((h) => p.header(h)),
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
}

/** A right-aligned cell. */
export function right(content: string | number): Table.Cell {
  return { hAlign: 'right', content: String(content) };
}
