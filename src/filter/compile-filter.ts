// Filter options → one predicate over Conn, built once: CIDRs become masks, lists become sets,
// and only the tests the user asked for are chained, so an unfiltered read pays nothing.

import type { Conn, Family } from '../model.js';
import { compileAddress } from './address-match.js';
import type { MarkMask, Status } from './option-values.js';

export interface FilterOptions {
  family?: Family | undefined;
  /** protocol number */
  proto?: number | undefined;
  state?: string[] | undefined;
  src?: string | undefined;
  dst?: string | undefined;
  replySrc?: string | undefined;
  replyDst?: string | undefined;
  sport?: number | undefined;
  dport?: number | undefined;
  replyPortSrc?: number | undefined;
  replyPortDst?: number | undefined;
  /** either port of either direction */
  port?: number | undefined;
  mark?: MarkMask | undefined;
  zone?: number | undefined;
  status?: Status[] | undefined;
  snat?: boolean | undefined;
  dnat?: boolean | undefined;
  /** any NAT */
  nat?: boolean | undefined;
}

export type ConnPredicate = (c: Conn) => boolean;

/** The predicate of no filter at all (callers may skip building records for it). */
export const always: ConnPredicate = () => true;

function hasStatus(c: Conn, s: Status): boolean {
  switch (s) {
    case 'ASSURED': return c.assured;
    case 'UNREPLIED': return c.unreplied;
    case 'SEEN_REPLY': return !c.unreplied;
    case 'OFFLOAD': return c.offload;
    case 'HW_OFFLOAD': return c.hwOffload;
  }
}

export function compileFilter(opts: FilterOptions): ConnPredicate {
  const tests: ConnPredicate[] = [];
  const { family, proto, state, mark, zone, status, port } = opts;
  if (family !== undefined) tests.push((c) => c.family === family);
  if (proto !== undefined) tests.push((c) => c.protonum === proto);
  if (state !== undefined && state.length > 0) {
    // conntrack-tools prints the kernel's SYN_SENT2 as LISTEN: accept either name for it
    const states = new Set(state.flatMap((s) => (s === 'LISTEN' || s === 'SYN_SENT2' ? ['LISTEN', 'SYN_SENT2'] : [s])));
    tests.push((c) => c.state !== undefined && states.has(c.state));
  }
  if (opts.src !== undefined) {
    const m = compileAddress(opts.src, '--src');
    tests.push((c) => m(c.original.src));
  }
  if (opts.dst !== undefined) {
    const m = compileAddress(opts.dst, '--dst');
    tests.push((c) => m(c.original.dst));
  }
  if (opts.replySrc !== undefined) {
    const m = compileAddress(opts.replySrc, '--reply-src');
    tests.push((c) => m(c.reply.src));
  }
  if (opts.replyDst !== undefined) {
    const m = compileAddress(opts.replyDst, '--reply-dst');
    tests.push((c) => m(c.reply.dst));
  }
  const { sport, dport, replyPortSrc, replyPortDst } = opts;
  if (sport !== undefined) tests.push((c) => c.original.sport === sport);
  if (dport !== undefined) tests.push((c) => c.original.dport === dport);
  if (replyPortSrc !== undefined) tests.push((c) => c.reply.sport === replyPortSrc);
  if (replyPortDst !== undefined) tests.push((c) => c.reply.dport === replyPortDst);
  if (port !== undefined) {
    tests.push((c) => c.original.sport === port || c.original.dport === port || c.reply.sport === port || c.reply.dport === port);
  }
  if (mark !== undefined) {
    // conntrack's test: a value with bits outside the mask matches nothing (the CLI refuses it)
    const { value, mask } = mark;
    tests.push((c) => ((c.mark & mask) >>> 0) === value);
  }
  if (zone !== undefined) {
    tests.push((c) => c.zone === zone || c.original.zone === zone || c.reply.zone === zone);
  }
  if (status !== undefined && status.length > 0) {
    tests.push((c) => status.every((s) => hasStatus(c, s)));
  }
  if (opts.snat) tests.push((c) => c.nat === 'snat' || c.nat === 'both');
  if (opts.dnat) tests.push((c) => c.nat === 'dnat' || c.nat === 'both');
  if (opts.nat) tests.push((c) => c.nat !== undefined);

  if (tests.length === 0) return always;
  if (tests.length === 1) return tests[0]!;
  return (c) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(c)) return false;
    return true;
  };
}
