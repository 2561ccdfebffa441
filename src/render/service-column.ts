// The Service column of the flows and list tables: the server's port named from /etc/services
// (`22` → `ssh`), as ss and netstat show ports unless -n. The server's port is the one after DNAT
// (the reply's source port), the service that actually answers; empty when the file has no name.
// -n drops the column, and the services file is then never read. (Appended with withColumn.)

import type { HostFlow } from '../aggregate/host-flows.js';
import { serviceName, serviceTable, type ServiceTable } from '../host/services.js';
import type { Conn } from '../model.js';

// The cells are made per row: the services file is looked up once per table (finding it reads
// the environment, which costs as much as the rest of the row).

/** A flow's service: its server port (the local one for passive and local flows, the peer's or the NAT target's otherwise). */
export function flowServiceCell(): (f: HostFlow) => string {
  let table: ServiceTable | undefined;
  return (f) => {
    const port = f.direction === 'passive' || f.direction === 'local' ? f.local.port : (f.natTarget?.port ?? f.peer.port);
    return serviceName(f.protocol, port, (table ??= serviceTable())) ?? '';
  };
}

/** A connection's service: the reply's source port, the server's after DNAT. */
export function connServiceCell(): (c: Conn) => string {
  let table: ServiceTable | undefined;
  return (c) => serviceName(c.protocol, c.reply.sport, (table ??= serviceTable())) ?? '';
}
