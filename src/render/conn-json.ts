// The JSON shape of one connection (list --json, --ndjson, delete --json): snake_case names,
// numbers as numbers, both tuples nested, derived fields included, absent fields as null so
// every object has the same keys (jq-friendly). Documented in the README ("JSON schema").

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
