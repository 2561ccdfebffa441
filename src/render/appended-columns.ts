// Columns a table appends after its own (zones, Service, Process): the shape renderFlowsTable's
// and renderConnTable's `extra` argument takes, grown one column at a time.

export interface AppendedColumns<T> {
  head: string[];
  cells: (row: T) => string[];
}

/** `before` (if any) with one more column after it. */
export function withColumn<T>(before: AppendedColumns<T> | undefined, head: string, cell: (row: T) => string): AppendedColumns<T> {
  return {
    head: [...(before?.head ?? []), head],
    cells: before === undefined ? (row) => [cell(row)] : (row) => [...before.cells(row), cell(row)],
  };
}
