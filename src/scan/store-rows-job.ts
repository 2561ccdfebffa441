// The scan job that fills list's sorted store on every core (aggregate/conn-store.ts addRows):
// for each record the filter keeps, its key row, from which the store reads the columns its
// order compares: the scan packed (parse/packed-scan.ts), or the line when it cannot be. For a
// table or a CSV, the row written for the record follows its key row: a cell row with every
// column measured on the way (conn-table-job.ts "cells"), or a CSV line. A record's row does not
// depend on the order, so it is made in the table's one parse, and the sorted write only lays
// the rows out (scan/sorted-list.ts writeShownRows). JSON is three times its line: its records
// are written from their key rows once sorted.

import { connOfScan, type ConnScan } from '../parse/conn-bytes.js';
import { PACKED_MAX, packScan } from '../parse/packed-scan.js';
import { always, compileFilter, type FilterOptions } from '../filter/compile-filter.js';
import type { ByteSink } from '../source/byte-sink.js';
import { CONN_TABLE, type ConnTableJobParams, type TableMeasure } from './conn-table-job.js';
import type { Job, JobInstance, JobSpec } from './job.js';
import { recordWriter } from './list-job.js';

export interface StoreRowsParams {
  filter: FilterOptions;
  /** the row after each key row: none, a table's cell row or a CSV line */
  shown: 'table' | 'csv' | undefined;
  /** a table's: what its cells need */
  table: Pick<ConnTableJobParams, 'color' | 'numeric' | 'layout'>;
}

/** a table's: each column's widest cell (TableMeasure); else nothing */
export type StoreRowsState = TableMeasure | undefined;

export const STORE_ROWS: Job<StoreRowsParams, StoreRowsState, StoreRowsState> = {
  create(params, emit, sink) {
    const filter = compileFilter(params.filter);
    const shown: Pick<JobInstance<StoreRowsState>, 'conn' | 'scanned' | 'state'> | undefined = params.shown === 'table'
      ? CONN_TABLE.create({ ...params.table, mode: 'cells', widths: [] }, emit, sink)
      : params.shown === 'csv' ? csvRows(emit, sink) : undefined;
    const keyLine = (buf: Buffer, start: number, end: number): void => {
      sink.reserve(end - start + 1);
      sink.pos += buf.copy(sink.buf, sink.pos, start, end);
      sink.buf[sink.pos++] = 10;
    };
    const keyScan = (s: ConnScan, buf: Buffer, start: number, end: number): void => {
      sink.reserve(PACKED_MAX + 1);
      const packed = packScan(s, sink.buf, sink.pos);
      if (packed < 0) return keyLine(buf, start, end);
      sink.buf[packed] = 10;
      sink.pos = packed + 1;
    };
    const scanned = (s: ConnScan, buf: Buffer, start: number, end: number): void => {
      keyScan(s, buf, start, end);
      // (the scan is still this line's: packing only reads it)
      shown?.scanned?.(s, buf, start, end);
    };
    return {
      conn(c, buf, start, end) {
        if (!filter(c)) return;
        keyLine(buf, start, end);
        shown?.conn(c, buf, start, end);
      },
      scanned: filter === always ? scanned : (s, buf, start, end) => {
        if (filter(connOfScan(s))) scanned(s, buf, start, end);
      },
      state: shown?.state,
    };
  },
  toPart: (state) => state,
  absorb(into, part) {
    if (into !== undefined && part !== undefined) CONN_TABLE.absorb(into, part);
  },
};

/** Each record's CSV line. */
function csvRows(emit: (text: string) => void, sink: ByteSink): Pick<JobInstance<undefined>, 'conn' | 'scanned' | 'state'> {
  const write = recordWriter('csv', emit, sink);
  return { conn: write.conn, scanned: write.scan, state: undefined };
}

export function storeRowsJob(params: StoreRowsParams): JobSpec<StoreRowsParams, StoreRowsState> {
  return {
    name: 'store-rows',
    job: STORE_ROWS,
    params,
    batchBytes: 256 * 1024,
    // this thread reads each key row into the store's columns, and parses a batch itself only
    // when the worker has 4 MB of table queued (with 1 MB, the worker idled a third of the time)
    inFlightBytes: 4 << 20,
  };
}
