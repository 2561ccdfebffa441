// Reverse NAT lookup: which inside host and port own a public address:port. Two kinds of entry
// answer it (the README's "nat-owner"):
//   SNAT / masquerade  the reply goes to the public addr:port (reply dst = public);
//                      the owner is the original source, the peer the reply's source
//   DNAT port-forward  the client asked for the public addr:port (original dst = public);
//                      the owner is the reply's source (the real server), the peer the client
// Only NAT'ed entries count: a connection to the router's own port is no mapping.
// Works on a parsed Conn and on the JSON of one (watch --ndjson logs) alike.

export interface NatAddress {
  addr: string;
  port: number;
}

/** The fields a lookup reads, as a Conn and as its JSON (conn-json.ts) both have them. */
export interface NatTupleLike {
  src: string;
  dst: string;
  sport: number | null | undefined;
  dport: number | null | undefined;
}

export interface NatConnLike {
  family: string;
  protocol: string;
  protonum: number;
  state: string | null | undefined;
  original: NatTupleLike;
  reply: NatTupleLike;
  nat: 'snat' | 'dnat' | 'both' | null | undefined;
}

export interface NatOwner {
  nat: 'snat' | 'dnat';
  protocol: string;
  family: string;
  public: NatAddress;
  inside: NatAddress;
  peer: NatAddress;
  state: string | null;
}

const end = (addr: string, port: number | null | undefined): NatAddress => ({ addr, port: port ?? 0 });

/** The mappings of one entry that own `target` (none, one, or both kinds for a hairpin). */
export function natOwnersOf(c: NatConnLike, target: NatAddress, protonum?: number): NatOwner[] {
  if (c.nat == null || (protonum !== undefined && c.protonum !== protonum)) return [];
  const found: NatOwner[] = [];
  const owner = (nat: 'snat' | 'dnat', inside: NatAddress, peer: NatAddress): NatOwner => ({
    nat, protocol: c.protocol, family: c.family, public: target, inside, peer, state: c.state ?? null,
  });
  const { original: o, reply: r } = c;
  if ((c.nat === 'snat' || c.nat === 'both') && r.dst === target.addr && r.dport === target.port) {
    found.push(owner('snat', end(o.src, o.sport), end(r.src, r.sport)));
  }
  if ((c.nat === 'dnat' || c.nat === 'both') && o.dst === target.addr && o.dport === target.port) {
    found.push(owner('dnat', end(r.src, r.sport), end(o.src, o.sport)));
  }
  return found;
}

/** Owners in a stable order: kind, protocol, inside host, peer. */
export function sortNatOwners(owners: NatOwner[]): NatOwner[] {
  const key = (x: NatOwner): string => [x.nat, x.protocol, x.family, x.inside.addr, String(x.inside.port).padStart(5, '0'), x.peer.addr, String(x.peer.port).padStart(5, '0')].join(' ');
  return owners.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
