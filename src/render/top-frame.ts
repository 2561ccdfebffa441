// One screen of `ctflow top` as lines of text, and its NDJSON rows. The same lines serve the
// full-screen view (cut to the terminal) and the plain frames of a pipe or --once.
//
//   ctflow top  12:00:04  every 2s  flows  sort rate desc  filter 10.1.0.2
//   4 flows, 34 connections  table 34/262144 (0.0%)  total 12.3 KiB/s 45 pkt/s
//
//   Proto    Flow                                    Conns     Bytes/s   Pkts/s      Bytes     Pkts
//   tcp      10.1.0.2:many ==> 10.2.0.2:80               2   1.2 KiB/s      3.0   68.1 KiB       34
//
// Proto is labelled as in `ctflow flows` (tcp6 for IPv6, protocolLabel); NDJSON keeps the
// protocol name and adds the family, as `flows --json` and `list --json` do.
//
// A flow reads as in `ctflow flows` (same endpoints and arrows: --> active, <-- passive, <-> local,
// ==> forward), except that a DNAT target is written `dnat ADDR:PORT` as `watch` does: the frame
// is ASCII only.

import { originalIsOutbound } from '../aggregate/host-flows.js';
import type { Rate } from '../aggregate/rates.js';
import type { TopMode, TopRow, TopSortKey, TopTotal } from '../aggregate/top-rows.js';
import { localClock } from './clock-time.js';
import type { TableSize } from '../kernel/table-size.js';
import { cutVisible } from './box-table.js';
import { endpoint } from './endpoint.js';
import { flowToJson } from './flows-json.js';
import { ARROWS, flowEndpoint, protocolLabel } from './flows-table.js';
import { humanBytes, humanCount } from './human.js';
import type { Palette } from './palette.js';

export interface TopView {
  /** wall clock of the reading, epoch milliseconds */
  time: number;
  interval: number;
  mode: TopMode;
  sort: TopSortKey;
  reverse: boolean;
  paused: boolean;
  addressFilter: string | undefined;
  /** sorted (the first ones) */
  rows: TopRow[];
  /** how many rows the reading has */
  count: number;
  total: TopTotal;
  tableSize: TableSize | undefined;
}

export function humanRate(bytesPerSec: number | undefined): string {
  return bytesPerSec === undefined ? '-' : `${humanBytes(Math.round(bytesPerSec))}/s`;
}

function pps(rate: Rate | undefined): string {
  return rate === undefined ? '-' : rate.packetsPerSec.toFixed(1);
}

/**
 * The row's middle column in two parts: what may be cut (the local side of a flow, the source
 * of a connection) and what must stay whole (the arrow, the peer, a DNAT target, the state):
 * `local <-- peer` (the arrows of `ctflow flows`) for a flow, `src:port -> dst:port STATE` for a
 * connection.
 */
export function rowLabelParts(row: TopRow): [cuttable: string, whole: string] {
  const f = row.flow;
  if (f !== undefined) {
    const nat = f.natTarget ? ` dnat ${flowEndpoint(f.protocol, f.natTarget.addr, f.natTarget.port)}` : '';
    return [flowEndpoint(f.protocol, f.local.addr, f.local.port), ` ${ARROWS[f.direction]} ${flowEndpoint(f.protocol, f.peer.addr, f.peer.port)}${nat}`];
  }
  const c = row.conn!;
  const icmp = c.icmpType !== undefined ? ` type=${c.icmpType}` : '';
  return [endpoint(c.src, c.sport), ` -> ${endpoint(c.dst, c.dport)}${icmp}${c.state !== undefined ? ` ${c.state}` : ''}`];
}

export function rowLabel(row: TopRow): string {
  return rowLabelParts(row).join('');
}

const fit = (s: string, w: number): string => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}~` : s.padEnd(w));

/** The label in `w` columns: the local side is cut first, so the peer stays whole while it can. */
function fitLabel([cuttable, whole]: [string, string], w: number): string {
  if (cuttable.length + whole.length <= w) return (cuttable + whole).padEnd(w);
  const room = w - whole.length;
  // at least one character and the ~ of the local side, else the end of the label goes
  return room >= 2 ? `${fit(cuttable, room)}${whole}` : fit(cuttable + whole, w);
}

/** The number columns after the label: width (with the space before it), heading, and how a row fills it. */
interface NumberColumn {
  width: number;
  head: string;
  cell: (row: TopRow) => string;
}

/** The narrowest the label column gets before number columns give way to it. */
const MIN_LABEL = 20;
const PROTO_WIDTH = 8;

/**
 * The frame's lines: two header lines, a blank, the column header and at most `maxRows` rows,
 * each no wider than `width` (Infinity: as wide as the labels). The label column gets the space
 * first: when the labels do not fit, Pkts, Pkts/s, Bytes, Conns and Bytes/s give way in that order, and
 * only then is the local side of a label cut (the peer stays whole).
 */
export function renderTopFrame(v: TopView, p: Palette, width: number, maxRows: number, exact = false): string[] {
  // ASCII only: a terminal in the C locale shows anything else as '_'
  const arrow = v.reverse ? 'asc' : 'desc';
  const head = [
    p.bold('ctflow top'),
    localClock(v.time / 1000),
    `every ${v.interval}s`,
    v.mode,
    `sort ${v.sort} ${arrow}`,
    ...(v.addressFilter !== undefined ? [`filter ${v.addressFilter}`] : []),
    ...(v.paused ? [p.warn('PAUSED')] : []),
  ].join('  ');
  const what = v.mode === 'flows' ? `${v.count} flows, ${v.total.conns} connections` : `${v.total.conns} connections`;
  const size = v.tableSize === undefined
    ? ''
    : `  table ${v.tableSize.count}/${v.tableSize.max} (${v.tableSize.max > 0 ? ((100 * v.tableSize.count) / v.tableSize.max).toFixed(1) : '0.0'}% full)`;
  const total = v.total.rate === undefined ? '' : `  total ${humanRate(v.total.rate.bytesPerSec)} ${v.total.rate.packetsPerSec.toFixed(1)} pkt/s`;
  // the heading lines too stay within the width (cut, losing their colour, when they would not)
  const lines = [cutVisible(head, width), cutVisible(`${what}${size}${total}`, width), ''];

  const count = (n: number | undefined): string => (n === undefined ? '-' : exact ? String(n) : humanCount(n));
  // in the order they give way to the label, last first
  const numbers: NumberColumn[] = [
    { width: 12, head: 'Bytes/s', cell: (r) => humanRate(r.rate?.bytesPerSec) },
    { width: 7, head: 'Conns', cell: (r) => count(r.conns) },
    { width: 11, head: 'Bytes', cell: (r) => (r.bytes === undefined ? '-' : exact ? String(r.bytes) : humanBytes(r.bytes)) },
    { width: 9, head: 'Pkts/s', cell: (r) => pps(r.rate) },
    { width: 10, head: 'Pkts', cell: (r) => count(r.packets) },
  ];
  const shown = v.rows.slice(0, Math.max(0, maxRows));
  const parts = shown.map(rowLabelParts);
  const labelHead = v.mode === 'flows' ? 'Flow' : 'Connection';
  let need = labelHead.length;
  for (const [a, b] of parts) need = Math.max(need, a.length + b.length);
  // exact counts can be wider than the columns: a column is as wide as its widest cell
  const cells = numbers.map((c) => shown.map(c.cell));
  numbers.forEach((c, i) => (c.width = Math.max(c.width, 1 + Math.max(0, ...cells[i]!.map((t) => t.length)))));
  const kept = numbers.map((_, i) => i);
  const used = (): number => PROTO_WIDTH + 1 + kept.reduce((sum, i) => sum + numbers[i]!.width, 0);
  while (kept.length > 0 && width - used() < Math.max(need, MIN_LABEL)) kept.pop();
  const mid = Number.isFinite(width) ? Math.max(MIN_LABEL, width - used()) : Math.max(need, MIN_LABEL);
  // the columns keep the order they always had: Conns, Bytes/s, Pkts/s, Bytes, Pkts
  const order = [1, 0, 3, 2, 4].filter((i) => kept.includes(i));
  const line = (proto: string, label: string, cell: (i: number) => string): string =>
    `${proto.padEnd(PROTO_WIDTH)} ${label}${order.map((i) => cell(i).padStart(numbers[i]!.width)).join('')}`;
  lines.push(p.header(line('Proto', fit(labelHead, mid), (i) => numbers[i]!.head)));
  shown.forEach((row, r) => {
    lines.push(line(protocolLabel(row.protocol, row.flow?.family ?? row.conn!.family), fitLabel(parts[r]!, mid), (i) => cells[i]![r]!));
  });
  return lines;
}

const rateJson = (r: Rate | undefined) => ({
  bytes_per_sec: r?.bytesPerSec ?? null,
  packets_per_sec: r?.packetsPerSec ?? null,
  orig_bytes_per_sec: r?.origBytesPerSec ?? null,
  reply_bytes_per_sec: r?.replyBytesPerSec ?? null,
  orig_packets_per_sec: r?.origPacketsPerSec ?? null,
  reply_packets_per_sec: r?.replyPacketsPerSec ?? null,
});

/** A flow's in/out rates: which of original/reply is outbound depends on its direction. */
const inOutJson = (row: TopRow) => {
  const r = row.rate;
  const out = originalIsOutbound(row.flow!.direction);
  return {
    in_bytes_per_sec: r === undefined ? null : out ? r.replyBytesPerSec : r.origBytesPerSec,
    out_bytes_per_sec: r === undefined ? null : out ? r.origBytesPerSec : r.replyBytesPerSec,
    in_packets_per_sec: r === undefined ? null : out ? r.replyPacketsPerSec : r.origPacketsPerSec,
    out_packets_per_sec: r === undefined ? null : out ? r.origPacketsPerSec : r.replyPacketsPerSec,
  };
};

/** The identity of a flow row, exactly as `ctflow flows --json` writes it (without the peer's name). */
function flowIdentityJson(row: TopRow) {
  const j = flowToJson(row.flow!);
  return {
    direction: j.direction, protocol: j.protocol, family: j.family, local: j.local,
    peer: { addr: j.peer.addr, port: j.peer.port }, nat_target: j.nat_target ?? null,
  };
}

/** The original tuple of a connection row; protocol and family as `list --json` writes them. */
function connJson(row: TopRow) {
  const c = row.conn!;
  return { protocol: row.protocol, family: c.family, src: c.src, sport: c.sport ?? null, dst: c.dst, dport: c.dport ?? null, icmp_type: c.icmpType ?? null, state: c.state ?? null };
}

/**
 * NDJSON: one object per row, then one `total` object, each naming its frame; rates null on
 * frame 1. A flow row carries the flow's identity as `flows --json` does, and in/out rates.
 */
export function topFrameJson(frame: number, v: TopView, limit: number): string {
  const time = v.time / 1000;
  const type = v.mode === 'flows' ? 'flow' : 'connection';
  let text = '';
  for (const row of v.rows.slice(0, limit)) {
    const counts = { conns: row.conns, packets: row.packets ?? null, bytes: row.bytes ?? null, ...rateJson(row.rate) };
    text += JSON.stringify(row.flow !== undefined
      ? { frame, time, type, ...flowIdentityJson(row), ...counts, ...inOutJson(row) }
      : { frame, time, type, ...connJson(row), ...counts }) + '\n';
  }
  text += JSON.stringify({
    frame, time, type: 'total', rows: v.count, conns: v.total.conns, packets: v.total.packets ?? null, bytes: v.total.bytes ?? null,
    ...rateJson(v.total.rate),
    table_count: v.tableSize?.count ?? null, table_max: v.tableSize?.max ?? null,
  }) + '\n';
  return text;
}
