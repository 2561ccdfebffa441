// How a table for people is laid out: how wide it may be and whether counters are exact.
//
// On a terminal a table fits its width (process.stdout.columns); into a pipe or a file it fits
// 80 columns, the width nearly every pager, mail and ticket shows whole. Scripts read --json,
// --ndjson or --csv (exact, never cut); `--wide --exact` gives a table as wide as its contents
// with exact integers, byte for byte what the tables printed before they fitted the terminal.

export interface TableLayout {
  /** the widest a line may be; undefined: as wide as the contents (--wide) */
  width: number | undefined;
  /** exact integers instead of 1.2 MiB / 3.4k (--exact) */
  exact: boolean;
}

/** The width of a table that is not written to a terminal. */
export const PIPE_WIDTH = 80;

/** As wide as the contents, numbers for people: what tests of other things ask for. */
export const WIDE: TableLayout = { width: undefined, exact: false };

export function tableLayout(flags: { wide?: boolean; exact?: boolean }, stdout: { isTTY?: boolean; columns?: number } = process.stdout): TableLayout {
  const exact = Boolean(flags.exact);
  if (flags.wide) return { width: undefined, exact };
  return { width: stdout.isTTY && stdout.columns !== undefined && stdout.columns > 0 ? stdout.columns : PIPE_WIDTH, exact };
}
