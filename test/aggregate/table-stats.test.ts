import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTableStats, type TableStats } from '../../src/aggregate/table-stats.js';
import { compileFilter } from '../../src/filter/compile-filter.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { scanConnBytes, scanOfConn } from '../../src/parse/conn-bytes.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';
import { fixture } from '../helpers/cli.js';

function statsOf(rel: string, top?: number): TableStats {
  const s = createTableStats();
  for (const line of readFileSync(fixture(rel), 'utf8').split('\n')) {
    const c = parseConnLine(line);
    if (c !== undefined) s.add(scanOfConn(c));
  }
  return s.finish(top);
}

interface Facts {
  entries: number;
  ipv4: number;
  ipv6: number;
  by_l3_proto_state: Record<string, number>;
  flags: { ASSURED?: number; UNREPLIED?: number };
  nat_entries: number;
}

const facts = (scenario: string): Facts => JSON.parse(readFileSync(fixture(`${scenario}/expected_facts.json`), 'utf8')) as Facts;

/** The capture script calls protocols without a tracker `unknown`; ctflow names them by number. */
function manifestKey(key: string): string {
  return key.replace('/esp/', '/unknown/').replace('/dccp/', '/unknown/');
}

for (const scenario of ['nat-router', 'local-host', 'inserted', 'proto-zoo']) {
  for (const file of ['proc_nf_conntrack.txt', 'conntrack_L.txt']) {
    test(`counts ${scenario}/${file} as its MANIFEST does: entries, families, protocol/state, flags, NAT`, () => {
      const s = statsOf(`${scenario}/${file}`);
      const f = facts(scenario);
      assert.equal(s.count, f.entries);
      assert.deepStrictEqual({ ipv4: s.families.ipv4 ?? 0, ipv6: s.families.ipv6 ?? 0 }, { ipv4: f.ipv4, ipv6: f.ipv6 });
      const merged: Record<string, number> = {};
      for (const [k, v] of Object.entries(s.breakdown)) merged[manifestKey(k)] = (merged[manifestKey(k)] ?? 0) + v;
      // the capture script's dccp/esp rows are "unknown"; conntrack -L prints the same entries
      assert.deepStrictEqual(Object.fromEntries(Object.entries(merged).sort()), Object.fromEntries(Object.entries(f.by_l3_proto_state).sort()));
      assert.equal(s.status.assured, f.flags.ASSURED ?? 0);
      assert.equal(s.status.unreplied, f.flags.UNREPLIED ?? 0);
      assert.equal(s.replied, f.entries - (f.flags.UNREPLIED ?? 0));
      assert.equal(s.nat.snat + s.nat.dnat + s.nat.both, f.nat_entries);
    });
  }
}

test('gives the nat-router table its full breakdown, marks, zones, traffic and top talkers', () => {
  const s = statsOf('nat-router/proc_nf_conntrack.txt', 3);
  assert.deepStrictEqual(s.families, { ipv4: 26, ipv6: 8 });
  assert.deepStrictEqual(s.protocols, { tcp: 21, udp: 7, icmp: 4, icmpv6: 2 });
  assert.deepStrictEqual(s.states, {
    tcp: { TIME_WAIT: 8, ESTABLISHED: 5, FIN_WAIT: 2, SYN_SENT: 2, CLOSE: 1, CLOSE_WAIT: 1, LAST_ACK: 1, SYN_RECV: 1 },
  });
  assert.deepStrictEqual(s.status, { assured: 19, unreplied: 6, offload: 0, hwOffload: 0 });
  assert.deepStrictEqual(s.nat, { snat: 25, dnat: 0, both: 6, none: 3 });
  // MANIFEST: mark=1 x3, mark=42 x1, mark=23552 x4, mark=4294967295 x2; zone=42 x1
  assert.deepStrictEqual(s.marks, { 1: 3, 42: 1, 23552: 4, 4294967295: 2 });
  assert.deepStrictEqual(s.zones, { 42: 1 });
  assert.equal(s.count, 34);
  assert.equal(s.replied, 28);
  assert.deepStrictEqual(s.top.sourcesByConnections.map((t) => [t.address, t.connections]), [['10.1.0.2', 25], ['fd00:a1::2', 8], ['10.2.0.1', 1]]);
  assert.deepStrictEqual(s.top.destinationsByConnections.map((t) => [t.address, t.connections]), [['10.2.0.2', 16], ['10.1.0.1', 8], ['fd00:a2::2', 6]]);
  assert.equal(s.top.destinationsByBytes[0]!.address, '10.2.0.2');
  assert.equal(s.top.sourcesByBytes.length, 3);
});

test('bytes and packets are the sums of the MANIFEST rows; the top lists honour N', () => {
  const f = JSON.parse(readFileSync(fixture('nat-router/expected_facts.json'), 'utf8')) as {
    flows: Array<{ orig_bytes: number; reply_bytes: number; orig_packets: number; reply_packets: number; orig: { src: string } }>;
  };
  const s = statsOf('nat-router/proc_nf_conntrack.txt', 1);
  assert.equal(s.bytes, f.flows.reduce((n, r) => n + r.orig_bytes + r.reply_bytes, 0));
  assert.equal(s.packets, f.flows.reduce((n, r) => n + r.orig_packets + r.reply_packets, 0));
  const bytesBy10102 = f.flows.filter((r) => r.orig.src === '10.1.0.2').reduce((n, r) => n + r.orig_bytes + r.reply_bytes, 0);
  assert.deepStrictEqual(s.top.sourcesByBytes, [{ address: '10.1.0.2', connections: 25, bytes: bytesBy10102 }]);
  assert.equal(s.top.destinationsByConnections.length, 1);
  assert.deepStrictEqual(statsOf('nat-router/proc_nf_conntrack.txt', 0).top.sourcesByConnections, []);
});

test('counts non-zero and directional zones and marks of the inserted table; no accounting means no bytes', () => {
  const s = statsOf('inserted/proc_nf_conntrack.txt');
  // MANIFEST: zone-orig=3, zone-reply=4, zone=65535, zone=7; marks 1, 7, 99, 23552, 4294967295 once each
  assert.deepStrictEqual(s.zones, { 3: 1, 4: 1, 7: 1, 65535: 1 });
  assert.deepStrictEqual(s.marks, { 1: 1, 7: 1, 99: 1, 23552: 1, 4294967295: 1 });
  assert.deepStrictEqual(s.states, {
    sctp: { COOKIE_WAIT: 1, ESTABLISHED: 1, SHUTDOWN_SENT: 1 },
    tcp: { ESTABLISHED: 4, CLOSE: 1, CLOSE_WAIT: 1, FIN_WAIT: 1, LAST_ACK: 1, NONE: 1, SYN_RECV: 1, SYN_SENT: 1, SYN_SENT2: 1, TIME_WAIT: 1 },
  });
  assert.equal(s.bytes, undefined); // MANIFEST: 0 of 29 entries carry packets=/bytes= (accounting off)
  assert.equal(s.packets, undefined);
  assert.deepStrictEqual(s.top.sourcesByBytes, []);
});

test('an empty table gives zeros and empty lists', () => {
  assert.deepStrictEqual(createTableStats().finish(), {
    count: 0, replied: 0, matched: 0, families: {}, protocols: {}, states: {}, breakdown: {},
    status: { assured: 0, unreplied: 0, offload: 0, hwOffload: 0 },
    nat: { snat: 0, dnat: 0, both: 0, none: 0 }, zones: {}, marks: {}, packets: undefined, bytes: undefined,
    top: { sourcesByConnections: [], destinationsByConnections: [], sourcesByBytes: [], destinationsByBytes: [] },
  });
});

// stats counts a line the fast path read from its scan: the figures must be those of the records
test('a scanned line counts as its record does, on every fixture line', () => {
  let scanned = 0;
  for (const file of fixtureFiles()) {
    const byRecord = createTableStats();
    const byScan = createTableStats();
    for (const [start, end] of lineRanges(file.bytes)) {
      const c = parseConnLine(file.bytes.toString('latin1', start, end));
      if (c !== undefined) byRecord.add(scanOfConn(c));
      const s = scanConnBytes(file.bytes, start, end);
      if (s !== undefined) {
        scanned++;
        byScan.add(s);
      } else if (c !== undefined) {
        byScan.add(scanOfConn(c));
      }
    }
    assert.deepStrictEqual(byScan.finish(50), byRecord.finish(50), file.name);
  }
  assert.ok(scanned > 500, `scanned ${scanned} lines`);
});

test('an entry the filter drops counts only in count and replied: nat-router, UDP kept', () => {
  const conns = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'utf8').split('\n').filter((l) => l !== '').map((l) => parseConnLine(l)!);
  const udp = compileFilter({ proto: 17 });
  const filtered = createTableStats();
  const onlyUdp = createTableStats();
  for (const c of conns) {
    if (udp(c)) {
      filtered.add(scanOfConn(c));
      onlyUdp.add(scanOfConn(c));
    } else filtered.skip(c.unreplied);
  }
  const got = filtered.finish();
  // the whole table: 34 entries, 28 replied (MANIFEST: 6 UNREPLIED); of its 7 UDP entries 2 are unreplied
  assert.deepStrictEqual([got.count, got.replied, got.matched], [34, 28, 7]);
  assert.deepStrictEqual(got, { ...onlyUdp.finish(), count: 34, replied: 28 });
  assert.deepStrictEqual([got.families, got.status.unreplied], [{ ipv4: 5, ipv6: 2 }, 2]);
  // and the same through part()/absorb() (what workers hand back)
  const merged = createTableStats();
  merged.absorb(structuredClone(filtered.part()));
  assert.deepStrictEqual(merged.finish(), got);
});
