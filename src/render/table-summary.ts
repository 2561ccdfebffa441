// What a table for people says around its rows: why there are none, how many it shows out of how
// many entries (on stderr, as conntrack says "34 flow entries have been shown"), and why every
// counter reads "-".

/**
 * 1,000,000: counts for people, grouped by thousands whatever the locale. By hand: the first
 * toLocaleString call loads ICU's locale data, ~30 ms of a 10k-line run.
 */
export function grouped(n: number): string {
  const digits = String(n);
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

/**
 * The line printed instead of an empty box. `entries`: entries read; `live`: the host's own table
 * (not --file/--stdin). Without nf_conntrack there is no table to read (file-error.ts says so);
 * an empty one means the module is loaded but nothing asks it to track: since Linux 4.10 a network
 * namespace tracks connections only once a rule (or NAT) uses conntrack.
 */
export function noRowsLine(entries: number, live: boolean): string {
  if (entries > 0) return `no connections: none of the ${grouped(entries)} entries matches the filters\n`;
  if (live) return 'no connections: the conntrack table is empty (the kernel tracks only once a firewall rule uses conntrack, e.g. nft ct state)\n';
  return 'no connections: the table read has no entries\n';
}

/** `87,114 flows from 1,000,000 entries` (stderr). */
export function closingCount(shown: number, noun: 'flows' | 'connections', entries: number): string {
  return `${grouped(shown)} ${shown === 1 ? noun.slice(0, -1) : noun} from ${grouped(entries)} ${entries === 1 ? 'entry' : 'entries'}\n`;
}

/** When no row carried counters: accounting is off (the distributions' default). */
export const ACCOUNTING_HINT =
  'ctflow: packet and byte counters are off in this table (shown as "-"); to count, as root: sysctl -w net.netfilter.nf_conntrack_acct=1 (counts connections made after it)\n';
