// What every reading command does around readTable: filter, stop early when stdout closed,
// and say on stderr how many lines could not be read.

import type { Conn } from '../model.js';
import type { ConnPredicate } from '../filter/compile-filter.js';
import type { Output } from '../output.js';
import { readTable, skippedMessage, type ReadOptions, type ReadReport } from '../source/read-table.js';

/** Thrown to stop reading when the reader of our stdout has gone (`ctflow … | head`). */
export class PipeClosed extends Error {
  constructor() {
    super('stdout closed');
    this.name = 'PipeClosed';
  }
}

export async function scanTable(
  source: ReadOptions,
  filter: ConnPredicate,
  onConn: (c: Conn) => void,
  out?: Output,
): Promise<ReadReport> {
  const report = await readTable(source, (c) => {
    if (out?.closed) throw new PipeClosed();
    if (filter(c)) onConn(c);
  });
  const skipped = skippedMessage(report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
  return report;
}
