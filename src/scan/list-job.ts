// The scan job behind `ctflow list` when it can run in parallel (see job.ts): "top" keeps the
// best --limit records of its part in a bounded heap (a worker's heap comes back as its sorted
// records and is pushed into this thread's), "ndjson" writes each matching record as it is read.

import { connOrder, connSortValue, scanSortValue, type SortKey } from '../aggregate/conn-order.js';
import { connOfScan } from '../parse/conn-bytes.js';
import { TopK } from '../aggregate/top-k.js';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import type { Conn } from '../model.js';
import { connToJsonLine } from '../render/conn-json.js';
import { CONN_JSON_MAX, writeConnJson, writeScanJson } from '../render/conn-json-bytes.js';
import type { Job, JobSpec } from './job.js';

export interface ListJobParams {
  filter: FilterOptions;
  mode: 'top' | 'ndjson';
  sort: SortKey | undefined;
  reverse: boolean;
  /** top: how many to keep */
  limit: number;
}

/** top: the heap; ndjson: nothing (the records went to the output) */
export type ListState = TopK<Conn> | undefined;

export const LIST: Job<ListJobParams, ListState, Conn[]> = {
  create(params, emit, sink) {
    const filter = compileFilter(params.filter);
    if (params.mode === 'ndjson') {
      const conn = (c: Conn): void => {
        if (!filter(c)) return;
        // straight into the output bytes; the rare record with labels or odd text as a string
        sink.reserve(CONN_JSON_MAX);
        const end = writeConnJson(c, sink.buf, sink.pos);
        if (end < 0) emit(connToJsonLine(c));
        else sink.pos = end;
      };
      return {
        conn,
        // without a filter a scanned line is written without making its record
        scanned: filter !== always ? (s) => conn(connOfScan(s)) : (s) => {
          sink.reserve(CONN_JSON_MAX);
          const end = writeScanJson(s, sink.buf, sink.pos);
          if (end < 0) emit(connToJsonLine(connOfScan(s)));
          else sink.pos = end;
        },
        state: undefined,
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

export function listJob(params: ListJobParams): JobSpec<ListJobParams, ListState> {
  return {
    name: 'list',
    job: LIST,
    params,
    // a top-k heap only counts: one thread on two cores; NDJSON writes every record
    parseBound: params.mode !== 'ndjson',
    // smaller batches for NDJSON keep less output in flight (docs/performance.md)
    batchBytes: params.mode === 'ndjson' ? 256 * 1024 : undefined,
  };
}
