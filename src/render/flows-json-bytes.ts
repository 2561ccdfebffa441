// flowToJsonText (flows-json.ts) written as UTF-8 bytes straight into the output buffer, as
// conn-json-bytes.ts does for connections: `flows --json` on a big router prints ~90k flows,
// ~40 MB, and building then encoding one string per flow was most of the time after the scan.
// A flow whose text needs escaping (a DNS name that is not plain ASCII) makes it return -1 and
// the caller writes flowToJsonText instead; test/render/flows-json-bytes.test.ts checks that
// both give the same bytes for every fixture flow.

import type { FlowPort, HostFlow } from '../aggregate/host-flows.js';
import { lit, NULL, num, seg, str, strOrNull, written } from './json-bytes.js';

/** Bytes a caller must have free at `pos` (5 strings of at most MAX_STRING, keys, numbers). */
export const FLOW_JSON_MAX = 2048;

const F_DIRECTION = seg('{"direction":');
const F_PROTOCOL = seg(',"protocol":');
const F_FAMILY = seg(',"family":');
const F_LOCAL = seg(',"local":');
const F_PEER = seg(',"peer":{"addr":');
const F_PORT = seg(',"port":');
const F_NAME = seg(',"name":');
const F_CONNECTIONS = seg('},"connections":');
const F_IN_PACKETS = seg(',"stat":{"total_inbound_packets":');
const F_IN_BYTES = seg(',"total_inbound_bytes":');
const F_OUT_PACKETS = seg(',"total_outbound_packets":');
const F_OUT_BYTES = seg(',"total_outbound_bytes":');
const F_SRC = seg('},"src":');
const F_DST = seg(',"dst":{"addr":');
const F_NAT = seg('},"nat_target":');
const E_ADDR = seg('{"addr":');
const MANY = seg('"many"');

function port(buf: Uint8Array, pos: number, p: FlowPort): number {
  return p === undefined ? lit(buf, pos, NULL) : p === 'many' ? lit(buf, pos, MANY) : num(buf, pos, p);
}

/** `{"addr":…,"port":…}` */
function endpoint(buf: Uint8Array, pos: number, addr: string, p: FlowPort): number {
  pos = port(buf, lit(buf, str(buf, lit(buf, pos, E_ADDR), addr), F_PORT), p);
  buf[pos] = 125;
  return pos + 1;
}

/**
 * Writes `flowToJsonText(f, names)` at `pos` (`name`: the peer's name, if any) and returns the
 * position after it, or -1 when the flow needs the string writer. The caller guarantees
 * FLOW_JSON_MAX free bytes at `pos`.
 */
export function writeFlowJson(f: HostFlow, name: string | undefined, buf: Uint8Array, pos: number): number {
  written.bad = false;
  pos = str(buf, lit(buf, pos, F_DIRECTION), f.direction);
  pos = str(buf, lit(buf, pos, F_PROTOCOL), f.protocol);
  pos = str(buf, lit(buf, pos, F_FAMILY), f.family);
  const local = lit(buf, pos, F_LOCAL);
  pos = endpoint(buf, local, f.local.addr, f.local.port);
  const localEnd = pos;
  const peer = lit(buf, pos, F_PEER);
  pos = port(buf, lit(buf, str(buf, peer, f.peer.addr), F_PORT), f.peer.port);
  const peerEnd = pos;
  pos = strOrNull(buf, lit(buf, pos, F_NAME), name);
  pos = num(buf, lit(buf, pos, F_CONNECTIONS), f.connections);
  pos = num(buf, lit(buf, pos, F_IN_PACKETS), f.inPackets);
  pos = num(buf, lit(buf, pos, F_IN_BYTES), f.inBytes);
  pos = num(buf, lit(buf, pos, F_OUT_PACKETS), f.outPackets);
  pos = num(buf, lit(buf, pos, F_OUT_BYTES), f.outBytes);
  if (f.direction === 'forward') {
    // src is the local endpoint again, dst the peer's address and port: copied, not rewritten
    pos = lit(buf, pos, F_SRC);
    buf.copyWithin(pos, local, localEnd);
    pos += localEnd - local;
    pos = lit(buf, pos, F_DST);
    buf.copyWithin(pos, peer, peerEnd);
    pos += peerEnd - peer;
    pos = lit(buf, pos, F_NAT);
    pos = f.natTarget === undefined ? lit(buf, pos, NULL) : endpoint(buf, pos, f.natTarget.addr, f.natTarget.port);
  } else {
    buf[pos++] = 125;
  }
  buf[pos] = 125;
  return written.bad ? -1 : pos + 1;
}
