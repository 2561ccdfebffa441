// One connection in the NethServer API's flat shape. As in its documented examples, the
// per-direction values are strings ("" when the entry has none: no ports for icmp, no counters
// without accounting, no timeout when offloaded), bytes_total/packets_total/nat are numbers, and
// mark is a hex string. provider/ndpi/prio come from --mark-map fields of those names ("" without);
// src_zone/dst_zone are added when the request asks to `expand`. Keys only some entries have
// (icmp type/code/id, gre keys, directional zones, secctx) are added to those entries alone, under
// the names NethServer's script gave them: the line's key, `_reply` for the reply tuple's.

import type { Conn, Tuple } from '../model.js';
import { markFieldText, type MarkMap } from '../host/mark-map.js';
import type { Zones } from '../host/zones.js';

export interface ApiConnection {
  layer: string;
  protocol: string;
  timeout: string;
  state: string;
  src: string;
  dst: string;
  sport: string;
  dport: string;
  packets: string;
  bytes: string;
  src_reply: string;
  dst_reply: string;
  sport_reply: string;
  dport_reply: string;
  packets_reply: string;
  bytes_reply: string;
  status: string;
  mark: string;
  zone: string;
  use: string;
  'delta-time': string;
  bytes_total: number;
  packets_total: number;
  /** 1 when the reply tuple shows NAT (either kind), else 0 */
  nat: number;
  provider: string;
  ndpi: string;
  prio: string;
  /** icmp/icmpv6 only, as the original carried every key=value of the line */
  type?: string;
  code?: string;
  id?: string;
  type_reply?: string;
  code_reply?: string;
  id_reply?: string;
  /** gre only, hex as the kernel prints them */
  srckey?: string;
  dstkey?: string;
  srckey_reply?: string;
  dstkey_reply?: string;
  /** directional zones (then `zone` is "") */
  'zone-orig'?: string;
  'zone-reply'?: string;
  secctx?: string;
  src_zone?: string;
  dst_zone?: string;
}

const text = (v: number | undefined): string => (v === undefined ? '' : String(v));
const hex = (v: number | undefined): string => (v === undefined ? '' : `0x${v.toString(16)}`);

/** ASSURED, UNREPLIED, OFFLOAD, HW_OFFLOAD as conntrack prints them, comma separated. */
export function statusText(c: Conn): string {
  const s: string[] = [];
  if (c.assured) s.push('ASSURED');
  if (c.unreplied) s.push('UNREPLIED');
  if (c.offload) s.push('OFFLOAD');
  if (c.hwOffload) s.push('HW_OFFLOAD');
  return s.join(',');
}

function markField(map: MarkMap | undefined, name: string, mark: number): string {
  const field = map?.fields.find((f) => f.name === name);
  return field === undefined ? '' : markFieldText(field, mark);
}

export function connToApi(c: Conn, opts: { zones?: Zones | undefined; markMap?: MarkMap | undefined } = {}): ApiConnection {
  const o: Tuple = c.original;
  const r: Tuple = c.reply;
  const out: ApiConnection = {
    layer: c.family,
    protocol: c.protocol,
    timeout: text(c.timeout),
    state: c.state ?? '',
    src: o.src,
    dst: o.dst,
    sport: text(o.sport),
    dport: text(o.dport),
    packets: text(o.packets),
    bytes: text(o.bytes),
    src_reply: r.src,
    dst_reply: r.dst,
    sport_reply: text(r.sport),
    dport_reply: text(r.dport),
    packets_reply: text(r.packets),
    bytes_reply: text(r.bytes),
    status: statusText(c),
    mark: `0x${c.mark.toString(16)}`,
    // a directional zone is the entry's only zone (zone-orig/zone-reply below), none applies to both
    zone: o.zone === undefined && r.zone === undefined ? String(c.zone) : '',
    use: text(c.use),
    'delta-time': text(c.deltaTime),
    bytes_total: c.bytesTotal ?? 0,
    packets_total: c.packetsTotal ?? 0,
    nat: c.nat === undefined ? 0 : 1,
    provider: markField(opts.markMap, 'provider', c.mark),
    ndpi: markField(opts.markMap, 'ndpi', c.mark),
    prio: markField(opts.markMap, 'prio', c.mark),
  };
  // the fields NethServer's script passed through from the line when the entry has them
  if (o.type !== undefined) {
    out.type = text(o.type);
    out.code = text(o.code);
    out.id = text(o.id);
    out.type_reply = text(r.type);
    out.code_reply = text(r.code);
    out.id_reply = text(r.id);
  }
  if (o.srckey !== undefined) {
    out.srckey = hex(o.srckey);
    out.dstkey = hex(o.dstkey);
    out.srckey_reply = hex(r.srckey);
    out.dstkey_reply = hex(r.dstkey);
  }
  if (o.zone !== undefined) out['zone-orig'] = String(o.zone);
  if (r.zone !== undefined) out['zone-reply'] = String(r.zone);
  if (c.secctx !== undefined) out.secctx = c.secctx;
  if (opts.zones !== undefined) {
    out.src_zone = opts.zones.zoneOf(o.src);
    out.dst_zone = opts.zones.zoneOf(o.dst);
  }
  return out;
}
