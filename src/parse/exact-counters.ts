// The kernel's packet and byte counters are 64-bit; a JavaScript number holds integers exactly
// only up to 2^53 − 1 (9 PB). A record keeps each counter as a number (for sorting, sums and
// human units) and, for the rare counter or total above 2^53 − 1, its exact decimal digits in
// Conn.exactCounters, which the JSON, NDJSON and CSV writers print instead of the number.

import type { ExactCounters, Tuple } from '../model.js';

export const U64_MAX = 18446744073709551615n;

/** The canonical digits of a decimal counter above 2^53 − 1, or undefined when it passes 2^64 − 1. */
export function exactDigits(text: string): string | undefined {
  const n = BigInt(text);
  return n > U64_MAX ? undefined : n.toString();
}

export function emptyExactCounters(): ExactCounters {
  return {
    originalPackets: undefined, originalBytes: undefined, replyPackets: undefined, replyBytes: undefined,
    packetsTotal: undefined, bytesTotal: undefined,
  };
}

const big = (exact: string | undefined, n: number | undefined): bigint => (exact !== undefined ? BigInt(exact) : BigInt(n ?? 0));

/**
 * The exact totals (original + reply) of an entry whose counters or their sums pass 2^53 − 1,
 * written into `exact` (made when none is given); undefined when every total fits a number.
 */
export function withExactTotals(o: Tuple, r: Tuple, exact: ExactCounters | undefined): ExactCounters | undefined {
  const packets = (o.packets ?? 0) + (r.packets ?? 0);
  const bytes = (o.bytes ?? 0) + (r.bytes ?? 0);
  if (exact === undefined && Number.isSafeInteger(packets) && Number.isSafeInteger(bytes)) return undefined;
  const e = exact ?? emptyExactCounters();
  if (!Number.isSafeInteger(packets)) e.packetsTotal = (big(e.originalPackets, o.packets) + big(e.replyPackets, r.packets)).toString();
  if (!Number.isSafeInteger(bytes)) e.bytesTotal = (big(e.originalBytes, o.bytes) + big(e.replyBytes, r.bytes)).toString();
  return e;
}
