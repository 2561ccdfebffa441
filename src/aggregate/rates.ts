// Rates between two readings of the table: bytes/s and packets/s per connection, summed per row.
//
// The kernel's counters only grow for the life of one entry, so a connection's traffic during an
// interval is its counters now minus its counters at the previous reading. Two cases need care:
//  - a connection absent from the previous reading was created during the interval: all it has
//    counted happened since then, so its whole counters are the delta;
//  - a counter that went backwards means the tuple now belongs to a new entry (the old one was
//    destroyed and the same 5-tuple reused): again the whole counters are the delta.
// Connections that disappeared take their last bytes with them; that traffic is not counted (the
// table cannot tell how much of it fell in the interval).
//
// Rates are computed per connection and then summed per flow, never from a flow's sums: a flow's
// sum drops when one of its connections ends, which would give a negative rate. (top-rows.ts sums
// them per row; conn-counters.ts keeps a reading's counters per connection for the next one.)

import type { Conn } from '../model.js';

export interface Counters {
  origPackets: number;
  origBytes: number;
  replyPackets: number;
  replyBytes: number;
}

export interface Rate {
  bytesPerSec: number;
  packetsPerSec: number;
  origBytesPerSec: number;
  replyBytesPerSec: number;
  origPacketsPerSec: number;
  replyPacketsPerSec: number;
}

/**
 * What identifies one entry across readings: zone, protocol and the original tuple (the kernel
 * keys its table the same way). /proc has no entry id, so the id is not used.
 */
export function connKey(c: Conn): string {
  const o = c.original;
  return `${c.zone} ${c.protonum} ${o.src} ${o.dst} ${o.sport ?? ''} ${o.dport ?? ''} ${o.type ?? ''} ${o.code ?? ''} ${o.id ?? ''} ${o.srckey ?? ''} ${o.dstkey ?? ''}`;
}

/** The entry's counters, or undefined when accounting (nf_conntrack_acct) was off for it. */
export function countersOf(c: Conn): Counters | undefined {
  const o = c.original;
  const r = c.reply;
  if (o.packets === undefined || r.packets === undefined) return undefined;
  return { origPackets: o.packets, origBytes: o.bytes ?? 0, replyPackets: r.packets, replyBytes: r.bytes ?? 0 };
}

export function zeroCounters(): Counters {
  return { origPackets: 0, origBytes: 0, replyPackets: 0, replyBytes: 0 };
}

/** Adds b into a (in place) and returns a. */
export function addCounters(a: Counters, b: Counters): Counters {
  a.origPackets += b.origPackets;
  a.origBytes += b.origBytes;
  a.replyPackets += b.replyPackets;
  a.replyBytes += b.replyBytes;
  return a;
}

/** Whether a counter went backwards (the tuple now belongs to a new entry: see the header). */
export function wentBack(previous: Counters, current: Counters): boolean {
  return current.origPackets < previous.origPackets || current.origBytes < previous.origBytes ||
    current.replyPackets < previous.replyPackets || current.replyBytes < previous.replyBytes;
}

/** What one connection counted since the previous reading (see the header for the two cases). */
export function counterDelta(previous: Counters | undefined, current: Counters): Counters {
  if (previous === undefined || wentBack(previous, current)) return { ...current };
  return {
    origPackets: current.origPackets - previous.origPackets,
    origBytes: current.origBytes - previous.origBytes,
    replyPackets: current.replyPackets - previous.replyPackets,
    replyBytes: current.replyBytes - previous.replyBytes,
  };
}

/** A delta over `seconds` as per-second rates; undefined when no time has passed. */
export function rateOf(delta: Counters, seconds: number): Rate | undefined {
  if (!(seconds > 0)) return undefined;
  return {
    bytesPerSec: (delta.origBytes + delta.replyBytes) / seconds,
    packetsPerSec: (delta.origPackets + delta.replyPackets) / seconds,
    origBytesPerSec: delta.origBytes / seconds,
    replyBytesPerSec: delta.replyBytes / seconds,
    origPacketsPerSec: delta.origPackets / seconds,
    replyPacketsPerSec: delta.replyPackets / seconds,
  };
}
