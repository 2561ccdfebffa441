// The table as it stood at one moment, rebuilt from a log of events (watch --ndjson, or
// `conntrack -E -o timestamp` text): NEW and UPDATE set an entry, DESTROY removes it, in log
// order, up to the moment asked. An entry is known by its original tuple and zones, which
// conntrack never changes during its life. Entries alive before the log began are not in it.

import type { NatTupleLike } from './nat-owner.js';

export interface ReplayConnLike {
  protonum: number;
  zone: number;
  original: NatTupleLike & {
    zone: number | null | undefined;
    icmp_id?: number | null; icmp_type?: number | null; gre_srckey?: number | null; gre_dstkey?: number | null;
    id?: number | undefined; type?: number | undefined; srckey?: number | undefined; dstkey?: number | undefined;
  };
}

export interface ReplayEvent<C extends ReplayConnLike> {
  type: 'new' | 'update' | 'destroy';
  conn: C;
}

function identity(c: ReplayConnLike): string {
  const o = c.original;
  return [
    c.protonum, o.src, o.dst, o.sport, o.dport, o.icmp_id ?? o.id, o.icmp_type ?? o.type, o.gre_srckey ?? o.srckey, o.gre_dstkey ?? o.dstkey, c.zone, o.zone,
  ].join('|');
}

export class EventReplay<C extends ReplayConnLike> {
  private readonly alive = new Map<string, C>();

  apply(e: ReplayEvent<C>): void {
    const key = identity(e.conn);
    if (e.type === 'destroy') this.alive.delete(key);
    else this.alive.set(key, e.conn);
  }

  /** The entries alive now, in the order they first appeared. */
  entries(): IterableIterator<C> {
    return this.alive.values();
  }
}
