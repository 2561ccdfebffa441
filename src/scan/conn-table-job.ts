// The scan job behind `list`'s sorted table (scan/sorted-list.ts), in two modes. "cells" makes
// each record's cells as a cell row (render/cell-rows.ts rowOfCells; from a fast-path scan, as
// bytes: render/conn-cells-bytes.ts) and keeps each column's widest cell and whether any row has
// counters, beside the read that fills the store (store-rows-job.ts runs it on the table's
// lines). "layout" lays those rows out once they are sorted and every cell is measured. The cells
// are exactly writeConnTable's (render/conn-table.ts connTableCells). Only a table whose cells
// need nothing but the record runs here (no zone or mark names, no processes: those live in this
// thread): its palette, Service column and units are made again from plain params in each thread.

import { widenToCells } from '../render/box-table.js';
import { cellRowsWriter, rowOfCells } from '../render/cell-rows.js';
import { tableColumns } from '../render/conn-list.js';
import { connTableCells } from '../render/conn-table.js';
import { createPalette } from '../render/palette.js';
import type { TableLayout } from '../render/table-layout.js';
import { BYTES, connOfScan, scanTotal, type ConnScan } from '../parse/conn-bytes.js';
import { scanCellRowWriter } from '../render/conn-cells-bytes.js';
import type { Conn } from '../model.js';
import type { Job, JobSpec } from './job.js';

export interface ConnTableJobParams {
  mode: 'cells' | 'layout';
  /** the palette's colours on */
  color: boolean;
  /** no Service column (-n) */
  numeric: boolean;
  layout: TableLayout;
  /** layout: the columns' widths, measured and fitted (fitBoxTable) */
  widths: number[];
}

/** cells: each column's widest cell, and whether any row had counters */
export interface TableMeasure {
  widths: number[];
  counted: boolean;
}

/** The table's columns and one connection's cells, as the params say. */
export function connTableOf(params: Pick<ConnTableJobParams, 'color' | 'numeric' | 'layout'>): ReturnType<typeof connTableCells> {
  return connTableCells(createPalette(params.color), tableColumns({ extras: {}, numeric: params.numeric, processes: undefined }), params.layout);
}

export const CONN_TABLE: Job<ConnTableJobParams, TableMeasure, TableMeasure> = {
  create(params, emit, sink) {
    const { columns, cells } = connTableOf(params);
    const into = new Array<string>(columns.length).fill('');
    const state: TableMeasure = { widths: columns.map(() => 0), counted: false };
    if (params.mode === 'layout') {
      // cell rows made in "cells" mode, sorted: laid out as they are, a batch at a time
      const write = cellRowsWriter(columns, params.widths);
      return { conn: () => undefined, batch: (buf) => write(buf, sink), state };
    }
    const conn = (c: Conn): void => {
      cells(c, into);
      if (c.bytesTotal !== undefined) state.counted = true;
      widenToCells(state.widths, into);
      emit(rowOfCells(into));
    };
    // a fast-path line's cell row written from its scan, when nothing asks for its record
    const scanRow = params.color ? undefined : scanCellRowWriter(params.layout, params.numeric);
    const scanned = (s: ConnScan): void => {
      if (scanRow === undefined || !scanRow(s, sink, state.widths)) conn(connOfScan(s));
      else if (scanTotal(s, BYTES) >= 0) state.counted = true;
    };
    return { conn, scanned, state };
  },
  toPart: (state) => state,
  absorb(into, part) {
    part.widths.forEach((w, i) => {
      if (w > into.widths[i]!) into.widths[i] = w;
    });
    into.counted ||= part.counted;
  },
};

export function connTableJob(params: ConnTableJobParams): JobSpec<ConnTableJobParams, TableMeasure> {
  // (making every row's cells is the work a line: it pays for a worker even when only measuring)
  return { name: 'conn-table', job: CONN_TABLE, params, batchBytes: 256 * 1024 };
}
