// The scan job behind `ctflow list` when it can run in parallel (see job.ts): "top" keeps the
// best --limit records of its part in a bounded heap (a worker's heap comes back as its sorted
// records and is pushed into this thread's); "ndjson", "json" and "csv" write each matching
// record as it is read: a table read in its own order, or a sorted store's rows read again
// (aggregate/conn-store.ts `lines`). "json" writes a record as the JSON array's second and later
// ones are (`,\n` before it, no newline after): the caller writes `[`, the first and the `]`.

import { connOrder, connSortValue, scanSortValue, type SortKey } from '../aggregate/conn-order.js';
import { connOfScan, type ConnScan } from '../parse/conn-bytes.js';
import { TopK } from '../aggregate/top-k.js';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { connToCsv } from '../render/conn-csv.js';
import { putScanCsv } from '../render/conn-csv-bytes.js';
import { jsonBytes } from '../render/conn-json-bytes.js';
import type { ByteSink } from '../source/byte-sink.js';
import type { Job, JobSpec } from './job.js';

export interface ListJobParams {
  filter: FilterOptions;
  mode: 'top' | ListWriteMode;
  sort: SortKey | undefined;
  reverse: boolean;
  /** top: how many to keep */
  limit: number;
  /** the source is a sorted store's rows (JobInstance.storedRows) */
  stored?: boolean | undefined;
}

/** the formats the job writes records in */
export type ListWriteMode = 'ndjson' | 'json' | 'csv';

/** top: the heap; the other modes: nothing (the records went to the output) */
export type ListState = TopK<Conn> | undefined;

export const LIST: Job<ListJobParams, ListState, Conn[]> = {
  create(params, emit, sink) {
    const filter = compileFilter(params.filter);
    if (params.mode !== 'top') {
      const write = recordWriter(params.mode, emit, sink);
      const conn = (c: Conn): void => {
        if (filter(c)) write.conn(c);
      };
      return {
        conn,
        // without a filter a scanned line is written without making its record
        scanned: filter !== always ? (s) => conn(connOfScan(s)) : write.scan,
        state: undefined,
        storedRows: params.stored,
      };
    }
    const top = new TopK<Conn>(params.limit, connOrder(params.sort, params.reverse));
    const value = scanSortValue(params.sort);
    const { sort, reverse } = params;
    return {
      conn(c) {
        if (filter(c)) top.push(c);
      },
      // once the heap is full, most lines rank strictly after its worst record: no record is
      // made of them (a filter only removes lines, so it cannot change that)
      scanned: value === undefined ? undefined : (s) => {
        const worst = top.worst;
        if (worst !== undefined) {
          const v = value(s);
          const w = connSortValue(sort, worst);
          if (reverse ? v > w : v < w) return;
        }
        const c = connOfScan(s);
        if (filter(c)) top.push(c);
      },
      state: top,
    };
  },
  toPart: (top) => top?.sorted() ?? [],
  absorb(into, part) {
    for (const c of part) into?.push(c);
  },
};

/**
 * One record's bytes in `mode`, straight into the output buffer (from a record, or from a scan
 * with no record made); a record the byte writers leave (labels, odd text) as a string.
 */
export function recordWriter(mode: ListWriteMode, emit: (text: string) => void, sink: ByteSink): { conn(c: Conn): void; scan(s: ConnScan): void } {
  if (mode === 'csv') {
    return {
      conn: (c) => emit(connToCsv(c)),
      scan: (s) => putScanCsv(sink, s, emit),
    };
  }
  // JSON: `,\n` before, and the line's newline dropped
  const [before, after] = mode === 'json' ? [',\n', ''] as const : ['', '\n'] as const;
  const json = jsonBytes(sink, emit);
  return { conn: (c) => json.record(c, before, after), scan: (s) => json.scan(s, before, after) };
}

export function listJob(params: ListJobParams): JobSpec<ListJobParams, ListState> {
  return {
    name: 'list',
    job: LIST,
    params,
    // a top-k heap only counts: one thread on two cores; the writing modes write every record
    parseBound: params.mode === 'top',
    // smaller batches for written records keep less output in flight (docs/performance.md)
    batchBytes: params.mode === 'top' ? undefined : 256 * 1024,
  };
}
