// Canonical address text. The kernel's /proc file prints IPv6 fully expanded
// (fd00:00a2:0000:…:0002), conntrack-tools prints it compressed; both become RFC 5952 text so
// filters, flows and JSON agree whatever the source. IPv4 text is kept as printed.

const HEX = /^[0-9a-fA-F]{1,4}$/;

/** Parse IPv4 dotted quad into a 32-bit unsigned number, or undefined. */
export function parseIPv4(text: string): number | undefined {
  let value = 0;
  let octet = -1;
  let parts = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (octet < 0 || parts === 4) return undefined;
      value = value * 256 + octet;
      parts++;
      octet = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // no leading zeros: "010" is ambiguous (octal in some tools)
      if (digits > 0 && octet === 0) return undefined;
      octet = (octet < 0 ? 0 : octet) * 10 + (c - 48);
      digits++;
      if (octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? value >>> 0 : undefined;
}

/** Parse IPv6 text (any valid form, IPv4-suffixed included) into 8 16-bit groups, or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  let tail = '';
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!HEX.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = groupsOf(head);
  const t = groupsOf(tail);
  if (!h || !t) return undefined;
  // an embedded IPv4 may only end the address
  if (dbl >= 0 && head.includes('.')) return undefined;
  if (dbl < 0) return h.length === 8 ? h : undefined;
  const missing = 8 - h.length - t.length;
  if (missing < 1) return undefined;
  return [...h, ...new Array<number>(missing).fill(0), ...t];
}

/** RFC 5952 text for 8 groups: lower case, no leading zeros, longest zero run (≥2) as "::". */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped addresses keep the dotted tail, as inet_ntop (and so conntrack-tools) prints them
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >>> 8}.${groups[6]! & 255}.${groups[7]! >>> 8}.${groups[7]! & 255}`;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

const canonicalCache = new Map<string, string>();
const CACHE_LIMIT = 65536;

/**
 * Canonical text of an address as printed by the kernel or conntrack-tools, or undefined when it
 * is not an address. IPv4 passes through unchanged (checked by the caller's grammar); IPv6 is
 * memoised because tables repeat the same few addresses over and over.
 */
export function canonicalIPv6(text: string): string | undefined {
  const hit = canonicalCache.get(text);
  if (hit !== undefined) return hit;
  const groups = parseIPv6(text);
  if (!groups) return undefined;
  const out = formatIPv6(groups);
  if (canonicalCache.size >= CACHE_LIMIT) canonicalCache.clear();
  canonicalCache.set(text, out);
  return out;
}
