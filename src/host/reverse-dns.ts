// Reverse DNS for peer names, built so a slow or dead resolver cannot stall the view:
// every distinct address is looked up at once (no queue behind a slow answer), under ONE
// deadline for the whole batch, so a dead resolver costs at most one timeout in total, never one
// per row. Answers (and misses) are cached per address; at most `maxLookups` addresses are asked
// per batch, the rest stay numeric;
// the cache is bounded too (emptied past `maxCached` entries).

export const DEFAULT_DNS_TIMEOUT_MS = 500;
/** The longest --dns-timeout: ten minutes (the resolver takes at most 2^31-1 ms; a deadline past this is a typo). */
export const MAX_DNS_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_LOOKUPS = 256;
export const DEFAULT_MAX_CACHED = 65536;

/** The one method used from dns.promises.Resolver, so tests can pass a fake. */
export interface ReverseResolver {
  reverse(addr: string): Promise<string[]>;
  cancel?(): void;
}

export interface ReverseDnsOptions {
  timeoutMs?: number;
  maxLookups?: number;
  /** the cache is emptied when it would grow past this (a long-running view stays bounded) */
  maxCached?: number;
  /** defaults to a dns.promises.Resolver with the same timeout and a single try */
  resolver?: ReverseResolver;
  /** defaults to setTimeout; injectable so a test can count the deadlines set */
  setTimer?: (fn: () => void, ms: number) => { unref?(): unknown };
  clearTimer?: (timer: unknown) => void;
}

export class ReverseDns {
  /** address → name, or null when looked up and not found (or timed out) */
  private readonly cache = new Map<string, string | null>();
  private readonly timeoutMs: number;
  private readonly maxLookups: number;
  private readonly maxCached: number;
  /** made at the first lookup (node:dns is loaded then: a run that shows no names never pays for it) */
  private resolver: ReverseResolver | undefined;
  private readonly setTimer: NonNullable<ReverseDnsOptions['setTimer']>;
  private readonly clearTimer: NonNullable<ReverseDnsOptions['clearTimer']>;

  constructor(opts: ReverseDnsOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
    this.maxLookups = opts.maxLookups ?? DEFAULT_MAX_LOOKUPS;
    this.maxCached = opts.maxCached ?? DEFAULT_MAX_CACHED;
    this.resolver = opts.resolver;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  }

  /** Cached name of an address (undefined when unknown or never looked up). */
  nameOf(addr: string): string | undefined {
    return this.cache.get(addr) ?? undefined;
  }

  /** Look up every address not yet cached, all at once, bounded by one deadline. */
  async resolveAll(addrs: Iterable<string>): Promise<Map<string, string>> {
    const pending: string[] = [];
    const seen = new Set<string>();
    for (const a of addrs) {
      if (seen.has(a)) continue;
      seen.add(a);
      if (!this.cache.has(a) && pending.length < this.maxLookups) pending.push(a);
    }
    if (pending.length > 0) {
      if (this.cache.size + pending.length > this.maxCached) this.cache.clear();
      await this.lookupBatch(pending);
    }
    const out = new Map<string, string>();
    for (const a of seen) {
      const name = this.cache.get(a);
      if (name) out.set(a, name);
    }
    return out;
  }

  private async lookupBatch(addrs: string[]): Promise<void> {
    const resolver = this.resolver ??= new (await import('node:dns')).promises.Resolver({ timeout: this.timeoutMs, tries: 1 });
    let timer: unknown;
    const deadline = new Promise<void>((resolve) => {
      const t = this.setTimer(resolve, this.timeoutMs);
      t.unref?.();
      timer = t;
    });
    const lookups = addrs.map(async (addr) => {
      try {
        const names = await resolver.reverse(addr);
        // the first PTR record, as getnameinfo would pick; a trailing dot is not part of a name
        const name = names[0]?.replace(/\.$/, '');
        this.cache.set(addr, name ? name : null);
      } catch {
        this.cache.set(addr, null);
      }
    });
    await Promise.race([Promise.all(lookups), deadline]);
    this.clearTimer(timer);
    // whatever is still out after the deadline stays numeric; stop the resolver's retries
    for (const a of addrs) if (!this.cache.has(a)) this.cache.set(a, null);
    resolver.cancel?.();
  }
}

/**
 * Names for the peers about to be printed, or undefined with `numeric` (-n), in which case no
 * resolver is even created: not one DNS packet leaves the host.
 */
export async function peerNames(
  addrs: Iterable<string>,
  opts: ReverseDnsOptions & { numeric?: boolean },
): Promise<Map<string, string> | undefined> {
  if (opts.numeric) return undefined;
  return new ReverseDns(opts).resolveAll(addrs);
}
