// --wide and --exact: the options of every command that prints a table for people
// (render/table-layout.ts says what they change).

import type { Command } from 'commander';
import { inGroup, OUTPUT } from './help-groups.js';
import { tableLayout, type TableLayout } from '../render/table-layout.js';

export interface TableFlags {
  wide?: boolean;
  exact?: boolean;
}

export function addTableOptions(cmd: Command, { exact = true }: { exact?: boolean } = {}): Command {
  return inGroup(cmd, OUTPUT, (c) => {
    c.option('--wide', 'tables as wide as their contents (default: the terminal width, 80 columns when not a terminal)');
    if (exact) c.option('-x, --exact', 'exact integers in tables instead of 1.2 MiB / 3.4k (JSON and CSV are always exact)');
  });
}

export function tableLayoutFrom(flags: TableFlags): TableLayout {
  return tableLayout(flags);
}
