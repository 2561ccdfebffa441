// The scan job behind each reading of `ctflow top` (see job.ts): the lines go into the reading's
// ReadingBuilder (aggregate/top-rows.ts), a line the fast path scanned without its record when
// nothing needs one (no filter, no address filter). A thread job (threadJob): the builder holds
// the previous reading's counters, which a worker cannot see.

import type { ReadingBuilder } from '../aggregate/top-rows.js';
import { always, type ConnPredicate } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { connOfScan } from '../parse/conn-bytes.js';
import { threadJob, type JobSpec } from './job.js';

export interface TopJobParams {
  /** the command's filters (with its zone filter) */
  filter: ConnPredicate;
  builder: ReadingBuilder;
  /** the interactive address filter: a connection it rejects counts for rates only */
  shown: ((c: Conn) => boolean) | undefined;
}

/** One reading's scan; its result is the builder, all lines added. */
export function topJob({ filter, builder, shown }: TopJobParams): JobSpec<undefined, ReadingBuilder> {
  return threadJob(() => {
    const conn = (c: Conn): void => {
      if (filter(c)) builder.add(c, shown === undefined || shown(c));
    };
    return {
      conn,
      scanned: filter === always && shown === undefined ? (s) => builder.addScan(s) : (s) => conn(connOfScan(s)),
      state: builder,
    };
  });
}
