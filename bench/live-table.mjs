// The live table the bench and bench/top-soak.mjs load into a namespace of their own.

/**
 * The `-I` lines of a live table of `n` entries, one `conntrack -R` batch (200k `conntrack -I`
 * calls would take minutes). The namespace owns 10.0.1.5 (on its loopback), like the generator's
 * host: half the entries are peers connecting to its services, half are it connecting out, so
 * flows groups them into a few thousand flows as on a real server. Every tuple is unique.
 */
export function liveLines(n) {
  const lines = [];
  const PEERS = 762; // 10.0.2-4.1-254
  for (let i = 0; i < n; i++) {
    const p = i % PEERS;
    const peer = `10.0.${2 + Math.floor(p / 254)}.${1 + (p % 254)}`;
    const ephemeral = 1024 + Math.floor(i / PEERS);
    const proto = i % 10 === 9 ? 'udp' : 'tcp';
    const state = proto === 'tcp' ? ' --state ESTABLISHED' : '';
    const [src, dst, dport] = i % 2 === 0
      ? [peer, '10.0.1.5', [22, 80, 443, 5432][(i >> 1) % 4]]
      : ['10.0.1.5', peer, [3306, 6379, 53, 443][(i >> 1) % 4]];
    lines.push(`-I -p ${proto} -s ${src} -d ${dst} --sport ${ephemeral} --dport ${dport} -t 3600${state} -u ASSURED`);
  }
  return lines;
}
