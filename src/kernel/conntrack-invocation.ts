// What ctflow asks conntrack-tools to do, built as data before anything runs (so --dry-run can
// print it and unit tests can assert it without root).
//
// Two shapes:
//   - one argv (`conntrack -D -s 10.0.0.0/24 -p tcp --dport 443`) when conntrack's own filter
//     says exactly what the user asked for;
//   - one `conntrack -R` batch (lines in a private temp file, shown as `-`) with one exact-tuple line per matched entry, never one
//     process per entry.
//
// What conntrack v1.4.7 really does (checked in a private namespace; README "delete, update, flush"):
//   - a `-D` without -w deletes the tuple in every zone; `-w 0` also matches entries whose zone is
//     directional, so batch lines name the zone exactly (-w Z, or --orig-zone/--reply-zone);
//   - inside -R, the mark filter/value of the LAST line is applied to every line (a global template
//     pointer), so batch lines never carry -m as a filter, and update batches use one mark for all;
//   - `-F -f ipv6` empties BOTH families, so a per-family flush is `-D -f FAMILY` instead;
//   - `-U` rejects -w/--orig-zone/--reply-zone and cannot change an entry that lives in a zone;
//     `-m`/`-u` mean "set" for -U, so they cannot be filters there;
//   - `-U` sends each change with the family given by -f (or by -s/-d): without one it fails at
//     the first entry with "Operation not supported", so an update runs once per family;
//   - `-U` stops with "No buffer space available" once it has changed 256 entries, whatever the
//     table size (apparently one unread reply per change: 256 × 832 bytes is the default 208 KB
//     receive buffer): a bigger update takes several runs, each skipping the entries that
//     already carry the new mark.

import type { Conn, Family } from '../model.js';

export interface Invocation {
  command: string;
  args: string[];
  /** lines of the `conntrack -R` batch file (each a list of conntrack options, no program name) */
  batch?: string[];
}

export interface MarkMask {
  value: number;
  /** undefined = all 32 bits */
  mask: number | undefined;
}

/** The part of a filter conntrack can express itself. Every field is an exact value. */
export interface ConntrackFilter {
  proto?: string;
  family?: Family;
  /** address or CIDR (conntrack turns a CIDR into --mask-src) */
  src?: string;
  dst?: string;
  /** exact address only: conntrack has no mask for the reply direction */
  replySrc?: string;
  replyDst?: string;
  sport?: number;
  dport?: number;
  replyPortSrc?: number;
  replyPortDst?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  mark?: MarkMask;
  zone?: number;
  /** conntrack -u, e.g. ['ASSURED'] */
  status?: string[];
  /** one tcp/sctp/dccp state (conntrack --state takes one) */
  state?: string;
}

export const DEFAULT_CONNTRACK = 'conntrack';

const U32 = 0xffffffff;

/** `MARK` or `MARK/MASK` as conntrack reads it (decimal mark, hex mask). */
export function formatMark(m: MarkMask): string {
  return m.mask === undefined || m.mask === U32 ? String(m.value) : `${m.value}/0x${m.mask.toString(16)}`;
}

/** The filter as conntrack options, in one fixed order (the order tests and --dry-run show). */
export function filterArgs(f: ConntrackFilter, action: 'delete' | 'update'): string[] {
  const a: string[] = [];
  if (f.family !== undefined) a.push('-f', f.family);
  if (f.proto !== undefined) a.push('-p', f.proto);
  if (f.src !== undefined) a.push('-s', f.src);
  if (f.dst !== undefined) a.push('-d', f.dst);
  if (f.replySrc !== undefined) a.push('-r', f.replySrc);
  if (f.replyDst !== undefined) a.push('-q', f.replyDst);
  // protocol options are parsed by conntrack's protocol extension, so they must follow -p
  if (f.sport !== undefined) a.push('--sport', String(f.sport));
  if (f.dport !== undefined) a.push('--dport', String(f.dport));
  if (f.replyPortSrc !== undefined) a.push('--reply-port-src', String(f.replyPortSrc));
  if (f.replyPortDst !== undefined) a.push('--reply-port-dst', String(f.replyPortDst));
  const v6 = f.proto === 'icmpv6';
  if (f.icmpType !== undefined) a.push(v6 ? '--icmpv6-type' : '--icmp-type', String(f.icmpType));
  if (f.icmpCode !== undefined) a.push(v6 ? '--icmpv6-code' : '--icmp-code', String(f.icmpCode));
  if (f.icmpId !== undefined) a.push(v6 ? '--icmpv6-id' : '--icmp-id', String(f.icmpId));
  if (f.state !== undefined) a.push('--state', f.state);
  if (action === 'delete') {
    if (f.mark !== undefined) a.push('-m', formatMark(f.mark));
    if (f.zone !== undefined) a.push('-w', String(f.zone));
    if (f.status !== undefined && f.status.length > 0) a.push('-u', f.status.join(','));
  }
  return a;
}

/** Why a filter cannot go to `conntrack -U` as it is, or undefined when it can. */
export function updateFilterProblem(f: ConntrackFilter): string | undefined {
  if (f.mark !== undefined) return '-m means "set" for conntrack -U';
  if (f.status !== undefined) return '-u means "set" for conntrack -U';
  if (f.zone !== undefined) return 'conntrack -U does not accept -w';
  if (f.state !== undefined) return 'conntrack -U does not filter by --state';
  return undefined;
}

/** `conntrack -D FILTER…` */
export function deleteInvocation(f: ConntrackFilter, bin = DEFAULT_CONNTRACK): Invocation {
  return { command: bin, args: ['-D', ...filterArgs(f, 'delete')] };
}

/**
 * `conntrack -U FILTER… -m MARK[/MASK]`; the caller has checked updateFilterProblem() and gives
 * the family (-f, or addresses that name it): conntrack -U cannot change an entry without it.
 */
export function updateInvocation(f: ConntrackFilter, mark: MarkMask, bin = DEFAULT_CONNTRACK): Invocation {
  return { command: bin, args: ['-U', ...filterArgs(f, 'update'), '-m', formatMark(mark)] };
}

/**
 * Empty the table. A family-limited flush is `-D -f FAMILY`: conntrack v1.4.7's `-F -f ipv6`
 * empties the whole table, IPv4 included.
 */
export function flushInvocation(family: Family | undefined, bin = DEFAULT_CONNTRACK): Invocation {
  return family === undefined ? { command: bin, args: ['-F'] } : { command: bin, args: ['-D', '-f', family] };
}

/** The options naming exactly one entry: protocol, original tuple, zone. */
export function exactTupleArgs(c: Conn): string[] {
  const o = c.original;
  // a name only where conntrack has an extension for it and the tuple carries its fields
  // (dccp has no tracker on recent kernels: no ports, so it goes by number like esp)
  const named = (o.sport !== undefined && o.dport !== undefined) || o.type !== undefined || o.srckey !== undefined;
  const a = ['-p', named ? c.protocol : String(c.protonum), '-s', o.src, '-d', o.dst];
  if (o.sport !== undefined && o.dport !== undefined) a.push('--sport', String(o.sport), '--dport', String(o.dport));
  if (o.type !== undefined) {
    const v6 = c.protocol === 'icmpv6';
    a.push(v6 ? '--icmpv6-type' : '--icmp-type', String(o.type));
    if (o.code !== undefined) a.push(v6 ? '--icmpv6-code' : '--icmp-code', String(o.code));
    if (o.id !== undefined) a.push(v6 ? '--icmpv6-id' : '--icmp-id', String(o.id));
  }
  if (o.srckey !== undefined && o.dstkey !== undefined) {
    a.push('--srckey', `0x${o.srckey.toString(16)}`, '--dstkey', `0x${o.dstkey.toString(16)}`);
  }
  return a;
}

/** Zone options for a -D batch line: the entry's own zone, so no other zone's twin goes too. */
function zoneArgs(c: Conn): string[] {
  const orig = c.original.zone;
  const reply = c.reply.zone;
  if (orig === undefined && reply === undefined) return ['-w', String(c.zone)];
  const a: string[] = [];
  if (orig !== undefined) a.push('--orig-zone', String(orig));
  if (reply !== undefined) a.push('--reply-zone', String(reply));
  return a;
}

/** One `conntrack -R -` line deleting exactly this entry. */
export function deleteLine(c: Conn): string {
  return ['-D', ...exactTupleArgs(c), ...zoneArgs(c)].join(' ');
}

/** One `conntrack -R -` line setting the mark of this entry (which must not live in a zone). */
export function updateLine(c: Conn, mark: MarkMask): string {
  return ['-U', ...exactTupleArgs(c), '-m', formatMark(mark)].join(' ');
}

/** One `conntrack -R -` batch for many exact entries. */
export function batchInvocation(
  action: 'delete' | 'update', conns: readonly Conn[], mark?: MarkMask, bin = DEFAULT_CONNTRACK,
): Invocation {
  if (action === 'update' && mark === undefined) throw new TypeError('batchInvocation: update needs a mark');
  const batch = conns.map((c) => (action === 'delete' ? deleteLine(c) : updateLine(c, mark as MarkMask)));
  return { command: bin, args: ['-R', '-'], batch };
}

/** The mark conntrack -U leaves: (old & ~mask) ^ value, as conntrack's copy_mark() computes it. */
export function markAfterUpdate(old: number, m: MarkMask): number {
  const mask = m.mask ?? U32;
  return (((old & ~mask) >>> 0) ^ m.value) >>> 0;
}

/**
 * Whether setting the mark twice leaves what setting it once does, so that an interrupted
 * conntrack -U can simply run again: only when MARK has no bits outside MASK (otherwise the XOR
 * flips those bits back on the second run).
 */
export function markUpdateRepeats(m: MarkMask): boolean {
  return ((m.value & ~(m.mask ?? U32)) >>> 0) === 0;
}

/** Whether conntrack -U can change this entry at all (it cannot reach entries in a zone). */
export function updatable(c: Conn): boolean {
  return c.zone === 0 && c.original.zone === undefined && c.reply.zone === undefined;
}

/** How --dry-run shows an invocation: the argv, then the batch lines indented. */
export function formatInvocation(inv: Invocation): string[] {
  const head = [inv.command, ...inv.args].join(' ');
  if (inv.batch === undefined) return [head];
  return [`${head} <<EOF`, ...inv.batch, 'EOF'];
}
