// Text of one side of a tuple: 10.0.0.1:443, [2001:db8::1]:443, and for ICMP/GRE the address
// alone (their "ports" are shown in the detail column).

import type { Tuple } from '../model.js';

export function endpoint(address: string, port: number | undefined): string {
  const a = address.indexOf(':') >= 0 && port !== undefined ? `[${address}]` : address;
  return port === undefined ? a : `${a}:${port}`;
}

/** ICMP type/code/id or GRE keys, for the detail column. */
export function tupleDetail(t: Tuple): string {
  if (t.type !== undefined) return `type=${t.type} code=${t.code ?? 0} id=${t.id ?? 0}`;
  if (t.srckey !== undefined) return `keys=0x${t.srckey.toString(16)}/0x${(t.dstkey ?? 0).toString(16)}`;
  return '';
}
