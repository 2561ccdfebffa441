// The types every module shares: one connection-tracking entry (`Conn`), its two tuples, and the
// catalogue of protocols and states the kernel knows. Field names follow the kernel's text where
// it has one; JSON output renames them to snake_case in render/json-record.ts.

export type Family = 'ipv4' | 'ipv6';
export type NatKind = 'snat' | 'dnat' | 'both';

/** One direction of a connection. Which fields are set depends on the protocol. */
export interface Tuple {
  src: string;
  dst: string;
  /** tcp, udp, udplite, sctp, dccp */
  sport: number | undefined;
  dport: number | undefined;
  /** icmp, icmpv6 */
  type: number | undefined;
  code: number | undefined;
  id: number | undefined;
  /** gre */
  srckey: number | undefined;
  dstkey: number | undefined;
  /** present only when accounting (nf_conntrack_acct) was on when the entry was created */
  packets: number | undefined;
  bytes: number | undefined;
  /** directional zone (zone-orig= / zone-reply=) */
  zone: number | undefined;
}

export interface Conn {
  family: Family;
  protocol: string;
  protonum: number;
  /** seconds left; absent for offloaded entries and for DESTROY events */
  timeout: number | undefined;
  /** tcp, sctp and dccp only */
  state: string | undefined;
  original: Tuple;
  reply: Tuple;
  assured: boolean;
  unreplied: boolean;
  offload: boolean;
  hwOffload: boolean;
  mark: number;
  secctx: string | undefined;
  /** the non-directional zone; 0 when none is printed */
  zone: number;
  use: number | undefined;
  /** conntrack's entry id (`-o id`) */
  id: number | undefined;
  labels: string[] | undefined;
  helper: string | undefined;
  /** seconds since creation (nf_conntrack_timestamp=1) */
  deltaTime: number | undefined;
  /** `-o ktimestamp` text as printed, e.g. "Tue Nov 24 09:16:00 2026" */
  start: string | undefined;
  stop: string | undefined;
  /** key=value fields this parser does not know, kept so a newer kernel loses nothing */
  extra: Record<string, string> | undefined;
  /** derived: original + reply; undefined without accounting */
  packetsTotal: number | undefined;
  bytesTotal: number | undefined;
  nat: NatKind | undefined;
  /**
   * The exact digits of the counters (and totals) above 2^53 − 1, which a number cannot hold: the
   * number fields then hold the nearest double (for sorting and human units), and the writers of
   * digits (JSON, NDJSON, CSV) print these. Undefined for nearly every entry.
   */
  exactCounters: ExactCounters | undefined;
}

/** Decimal digits of each 64-bit counter too big for a double to hold exactly; undefined where it fits. */
export interface ExactCounters {
  originalPackets: string | undefined;
  originalBytes: string | undefined;
  replyPackets: string | undefined;
  replyBytes: string | undefined;
  packetsTotal: string | undefined;
  bytesTotal: string | undefined;
}

/** Protocol number → canonical name. The kernel prints DCCP and ESP as `unknown`; we name them. */
export const PROTOCOL_BY_NUMBER: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [33, 'dccp'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [58, 'icmpv6'],
  [132, 'sctp'],
  [136, 'udplite'],
]);

export const PROTOCOL_NUMBER: ReadonlyMap<string, number> = new Map(
  [...PROTOCOL_BY_NUMBER].map(([n, name]) => [name, n]),
);

/** The states conntrack prints per protocol. tcp's LISTEN is how conntrack-tools names SYN_SENT2. */
export const PROTOCOL_STATES: Readonly<Record<string, readonly string[]>> = {
  tcp: [
    'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK',
    'TIME_WAIT', 'CLOSE', 'LISTEN', 'SYN_SENT2',
  ],
  sctp: [
    'NONE', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT',
    'SHUTDOWN_RECD', 'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED',
  ],
  dccp: [
    'NONE', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT',
    'IGNORE', 'INVALID',
  ],
  udp: [],
  udplite: [],
  icmp: [],
  icmpv6: [],
  gre: [],
};

/** Protocols whose tuples carry ports. */
export const PORT_PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp']);

export function emptyTuple(): Tuple {
  return {
    src: '', dst: '', sport: undefined, dport: undefined, type: undefined, code: undefined,
    id: undefined, srckey: undefined, dstkey: undefined, packets: undefined, bytes: undefined,
    zone: undefined,
  };
}
