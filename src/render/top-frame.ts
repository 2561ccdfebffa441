// One screen of `ctflow top` as lines of text, and its NDJSON rows. The same lines serve the
// full-screen view (cut to the terminal) and the plain frames of a pipe or --once.
//
//   ctflow top  12:00:04  every 2s  flows  sort rate desc  filter 10.1.0.2
//   4 flows, 34 connections  table 34/262144 (0.0%)  total 12.3 KiB/s 45 pkt/s
//
//   PROTO    FLOW                                    CONNS     BYTES/S   PKTS/S      BYTES  PACKETS
//   tcp      10.1.0.2:many ==> 10.2.0.2:80               2   1.2 KiB/s      3.0   68.1 KiB       34
//
// PROTO is labelled as in `ctflow flows` (tcp6 for IPv6, protocolLabel); NDJSON keeps the
// protocol name and adds the family, as `flows --json` and `list --json` do.
//
// A flow reads as in `ctflow flows` (same endpoints and arrows: --> active, <-- passive, <-> local,
// ==> forward), except that a DNAT target is written `dnat ADDR:PORT` as `watch` does: the frame
// is ASCII only.

import { originalIsOutbound } from '../aggregate/host-flows.js';
import type { Rate } from '../aggregate/rates.js';
import type { TopMode, TopRow, TopSortKey, TopTotal } from '../aggregate/top-rows.js';
import type { TableSize } from '../kernel/table-size.js';
import { endpoint } from './endpoint.js';
import { flowToJson } from './flows-json.js';
import { ARROWS, flowEndpoint, protocolLabel } from './flows-table.js';
import { humanBytes } from './human.js';
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

const two = (n: number): string => String(n).padStart(2, '0');

function clock(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function humanRate(bytesPerSec: number | undefined): string {
  return bytesPerSec === undefined ? '-' : `${humanBytes(Math.round(bytesPerSec))}/s`;
}

function pps(rate: Rate | undefined): string {
  return rate === undefined ? '-' : rate.packetsPerSec.toFixed(1);
}

/**
 * The row's middle column: `local <-- peer` (the arrows of `ctflow flows`) for a flow,
 * `src:port -> dst:port STATE` for a connection.
 */
export function rowLabel(row: TopRow): string {
  const f = row.flow;
  if (f !== undefined) {
    const nat = f.natTarget ? ` dnat ${flowEndpoint(f.protocol, f.natTarget.addr, f.natTarget.port)}` : '';
    return `${flowEndpoint(f.protocol, f.local.addr, f.local.port)} ${ARROWS[f.direction]} ${flowEndpoint(f.protocol, f.peer.addr, f.peer.port)}${nat}`;
  }
  const c = row.conn!;
  const icmp = c.icmpType !== undefined ? ` type=${c.icmpType}` : '';
  return `${endpoint(c.src, c.sport)} -> ${endpoint(c.dst, c.dport)}${icmp}${c.state !== undefined ? ` ${c.state}` : ''}`;
}

const fit = (s: string, w: number): string => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}~` : s.padEnd(w));

/**
 * The frame's lines: two header lines, a blank, the column header and at most `maxRows` rows,
 * each no wider than `width`.
 */
export function renderTopFrame(v: TopView, p: Palette, width: number, maxRows: number): string[] {
  // ASCII only: a terminal in the C locale shows anything else as '_'
  const arrow = v.reverse ? 'asc' : 'desc';
  const head = [
    p.bold('ctflow top'),
    clock(v.time),
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
  const lines = [head, `${what}${size}${total}`, ''];

  // fixed columns around a middle one that takes what is left
  // PROTO holds the longest label `ctflow flows` prints (udplite6, unknown6)
  const fixed = 8 + 1 + 1 + 6 + 1 + 11 + 1 + 8 + 1 + 10 + 1 + 9;
  const mid = Math.max(20, width - fixed);
  const cols = (proto: string, label: string, conns: string, rate: string, pkts: string, bytes: string, packets: string): string =>
    `${proto.padEnd(8)} ${fit(label, mid)} ${conns.padStart(6)} ${rate.padStart(11)} ${pkts.padStart(8)} ${bytes.padStart(10)} ${packets.padStart(9)}`;
  lines.push(p.header(cols('PROTO', v.mode === 'flows' ? 'FLOW' : 'CONNECTION', 'CONNS', 'BYTES/S', 'PKTS/S', 'BYTES', 'PACKETS')));
  for (const row of v.rows.slice(0, Math.max(0, maxRows))) {
    lines.push(cols(
      protocolLabel(row.protocol, row.flow?.family ?? row.conn!.family), rowLabel(row), String(row.conns), humanRate(row.rate?.bytesPerSec), pps(row.rate),
      humanBytes(row.bytes), row.packets === undefined ? '-' : String(row.packets),
    ));
  }
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
