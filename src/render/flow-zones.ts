// Zones of a host flow (flows --zones): src_zone is the initiator's side, dst_zone the server's,
// as for a connection's original direction — active and forward flows start at `local`, passive
// and local flows at `peer`.

import type { HostFlow } from '../aggregate/host-flows.js';
import type { Zones } from '../host/zones.js';

export interface FlowZones {
  src_zone: string;
  dst_zone: string;
}

export function flowZones(f: HostFlow, zones: Zones): FlowZones {
  const [src, dst] = f.direction === 'active' || f.direction === 'forward' ? [f.local.addr, f.peer.addr] : [f.peer.addr, f.local.addr];
  return { src_zone: zones.zoneOf(src), dst_zone: zones.zoneOf(dst) };
}
