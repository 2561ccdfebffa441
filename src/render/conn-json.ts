// The JSON shape of one connection (list --json, --ndjson, delete --json): snake_case names,
// numbers as numbers, both tuples nested, derived fields included, absent fields as null so
// every object has the same keys (jq-friendly). Documented in the README ("JSON schema").
//
// A counter above 2^53 − 1 is written as its exact digits (a JSON number literal; parsers that
// read numbers as doubles round it, jq ≥ 1.7 and BigInt-aware parsers keep it): connToJsonLine
// prints Conn.exactCounters. The object form (connToJson) can only hold the nearest double.

import type { Conn, Tuple } from '../model.js';

export interface TupleJson {
  src: string;
  dst: string;
  sport: number | null;
  dport: number | null;
  icmp_type: number | null;
  icmp_code: number | null;
  icmp_id: number | null;
  gre_srckey: number | null;
  gre_dstkey: number | null;
  packets: number | null;
  bytes: number | null;
  zone: number | null;
}

export interface ConnJson {
  family: string;
  protocol: string;
  protonum: number;
  state: string | null;
  timeout: number | null;
  original: TupleJson;
  reply: TupleJson;
  assured: boolean;
  unreplied: boolean;
  offload: boolean;
  hw_offload: boolean;
  mark: number;
  zone: number;
  secctx: string | null;
  use: number | null;
  id: number | null;
  labels: string[] | null;
  helper: string | null;
  delta_time: number | null;
  start: string | null;
  stop: string | null;
  packets_total: number | null;
  bytes_total: number | null;
  nat: string | null;
  extra: Record<string, string> | null;
}

function tupleJson(t: Tuple): TupleJson {
  return {
    src: t.src,
    dst: t.dst,
    sport: t.sport ?? null,
    dport: t.dport ?? null,
    icmp_type: t.type ?? null,
    icmp_code: t.code ?? null,
    icmp_id: t.id ?? null,
    gre_srckey: t.srckey ?? null,
    gre_dstkey: t.dstkey ?? null,
    packets: t.packets ?? null,
    bytes: t.bytes ?? null,
    zone: t.zone ?? null,
  };
}

export function connToJson(c: Conn): ConnJson {
  return {
    family: c.family,
    protocol: c.protocol,
    protonum: c.protonum,
    state: c.state ?? null,
    timeout: c.timeout ?? null,
    original: tupleJson(c.original),
    reply: tupleJson(c.reply),
    assured: c.assured,
    unreplied: c.unreplied,
    offload: c.offload,
    hw_offload: c.hwOffload,
    mark: c.mark,
    zone: c.zone,
    secctx: c.secctx ?? null,
    use: c.use ?? null,
    id: c.id ?? null,
    labels: c.labels ?? null,
    helper: c.helper ?? null,
    delta_time: c.deltaTime ?? null,
    start: c.start ?? null,
    stop: c.stop ?? null,
    packets_total: c.packetsTotal ?? null,
    bytes_total: c.bytesTotal ?? null,
    nat: c.nat ?? null,
    extra: c.extra ?? null,
  };
}

/** A JSON string literal; the plain-ASCII text of nearly every field needs no escaping. */
function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return JSON.stringify(s);
  }
  return `"${s}"`;
}

const orNull = (n: number | undefined): string => (n === undefined ? 'null' : `${n}`);
const quoteOrNull = (s: string | undefined): string => (s === undefined ? 'null' : quote(s));

function tupleText(t: Tuple, exactPackets: string | undefined, exactBytes: string | undefined): string {
  return `{"src":${quote(t.src)},"dst":${quote(t.dst)},"sport":${orNull(t.sport)},"dport":${orNull(t.dport)},` +
    `"icmp_type":${orNull(t.type)},"icmp_code":${orNull(t.code)},"icmp_id":${orNull(t.id)},` +
    `"gre_srckey":${orNull(t.srckey)},"gre_dstkey":${orNull(t.dstkey)},"packets":${exactPackets ?? orNull(t.packets)},` +
    `"bytes":${exactBytes ?? orNull(t.bytes)},"zone":${orNull(t.zone)}}`;
}

/**
 * `JSON.stringify(connToJson(c)) + "\n"`, byte for byte, built as one string without the
 * intermediate object: --ndjson writes a million of these (test/render/conn-json.test.ts checks
 * both agree on every fixture record).
 */
export function connToJsonLine(c: Conn): string {
  const x = c.exactCounters;
  return `{"family":${quote(c.family)},"protocol":${quote(c.protocol)},"protonum":${c.protonum},` +
    `"state":${quoteOrNull(c.state)},"timeout":${orNull(c.timeout)},` +
    `"original":${tupleText(c.original, x?.originalPackets, x?.originalBytes)},` +
    `"reply":${tupleText(c.reply, x?.replyPackets, x?.replyBytes)},` +
    `"assured":${c.assured},"unreplied":${c.unreplied},"offload":${c.offload},"hw_offload":${c.hwOffload},` +
    `"mark":${c.mark},"zone":${c.zone},"secctx":${quoteOrNull(c.secctx)},"use":${orNull(c.use)},"id":${orNull(c.id)},` +
    `"labels":${c.labels === undefined ? 'null' : JSON.stringify(c.labels)},"helper":${quoteOrNull(c.helper)},` +
    `"delta_time":${orNull(c.deltaTime)},"start":${quoteOrNull(c.start)},"stop":${quoteOrNull(c.stop)},` +
    `"packets_total":${x?.packetsTotal ?? orNull(c.packetsTotal)},"bytes_total":${x?.bytesTotal ?? orNull(c.bytesTotal)},` +
    `"nat":${quoteOrNull(c.nat)},` +
    `"extra":${c.extra === undefined ? 'null' : JSON.stringify(c.extra)}}\n`;
}
