import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HostFlowAggregator, type HostFlow } from '../../src/aggregate/host-flows.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { scanConnBytes, scanOfConn } from '../../src/parse/conn-bytes.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';
import type { Conn } from '../../src/model.js';
import { fixture } from '../helpers/cli.js';
import { FIXTURE_LOCAL_SETS, LOCAL_HOST, ROUTER, aggregate, classify, conns, line, sortFlows } from '../helpers/flows.js';

test('local-host capture: every ground-truth flow of the MANIFEST, by tuples and addresses alone', () => {
  const flows = aggregate(conns('local-host/proc_nf_conntrack.txt'), LOCAL_HOST);
  assert.deepStrictEqual(flows.map((f) => line(f, false)).sort(), [
    // active: the client (original source) is this host
    'active icmp 10.3.0.10:many --> 10.3.0.22:8 x1',
    'active tcp 10.3.0.10:many --> 10.3.0.21:2049 x1', // a low source port (1022) is still "many"
    'active tcp 10.3.0.10:many --> 10.3.0.21:443 x1',
    'active tcp 10.3.0.10:many --> 10.3.0.22:5432 x1', // the host listens on 5432 too: still active
    'active tcp 10.3.0.10:many --> 10.3.0.22:9 x1', // SYN_SENT [UNREPLIED] counts
    'active tcp 10.3.0.10:many --> 10.3.0.23:8080 x1',
    'active tcp [fd00:a3::10]:many --> [fd00:a3::21]:443 x1',
    'active udp 10.3.0.10:many --> 10.3.0.21:123 x1', // replied, neither ASSURED nor UNREPLIED
    // local: both ends are this host; local = the server side
    'local tcp 10.3.0.10:80 <-> 10.3.0.10:many x1',
    'local tcp 127.0.0.1:6379 <-> 127.0.0.1:many x1',
    'local tcp [::1]:443 <-> [::1]:many x1',
    // passive: the server (reply source) is this host
    'passive icmp 10.3.0.10:8 <-- 10.3.0.21:many x1',
    'passive icmpv6 [fd00:a3::10]:128 <-- [fd00:a3::21]:many x1',
    'passive tcp 10.3.0.10:22 <-- 10.3.0.21:many x1',
    'passive tcp 10.3.0.10:22 <-- 10.3.0.22:many x1',
    'passive tcp 10.3.0.10:40001 <-- 10.3.0.22:many x1', // peer from port 443 to a high port
    'passive tcp 10.3.0.10:443 <-- 10.3.0.21:many x1', // IPv4 client of the dual-stack [::]:443
    'passive tcp 10.3.0.10:53 <-- 10.3.0.23:many x1'.replace('tcp', 'udp'),
    'passive tcp 10.3.0.10:80 <-- 10.3.0.23:many x1',
    'passive tcp [fd00:a3::10]:443 <-- [fd00:a3::21]:many x1',
  ].sort());
  // accounting was off: no counters summed, none invented
  assert.deepStrictEqual(flows.map((f) => [f.counted, f.inPackets, f.inBytes, f.outPackets, f.outBytes]).filter((v) => v.some((n) => n !== 0)), []);
  assert.equal(flows.reduce((n, f) => n + f.connections, 0), 20);
});

test('nat-router capture as the router: forward flows with NAT targets and summed counters', () => {
  const flows = aggregate(conns('nat-router/proc_nf_conntrack.txt'), ROUTER);
  assert.deepStrictEqual(flows.map((f) => line(f)).sort(), [
    // the router pings the server itself: its own traffic, not forwarded
    'active icmp 10.2.0.1:many --> 10.2.0.2:8 x1 in=1/84 out=1/84',
    'forward icmp 10.1.0.2:many ==> 10.2.0.2:8 x1 in=3/252 out=3/252',
    'forward icmp 10.1.0.2:many ==> 10.2.0.3:8 x1 in=0/0 out=2/168',
    'forward icmpv6 [fd00:a1::2]:many ==> [fd00:a2::2]:128 x1 in=2/208 out=2/208',
    'forward icmpv6 [fd00:a1::2]:many ==> [fd00:a2::3]:128 x1 in=0/0 out=1/104',
    // port forwards through the router's own address: the destination asked for, then where DNAT sent it
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:21 (nat 10.2.0.2:21) x1 in=14/1054 out=17/990',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:2222 (nat 10.2.0.2:22) x1 in=3/1612 out=4/517',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:35625 (nat 10.2.0.2:35625) x1 in=4/266 out=4/216',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:39027 (nat 10.2.0.2:39027) x1 in=5/10508 out=5/268',
    'forward tcp 10.1.0.2:many ==> 10.1.0.1:8080 (nat 10.2.0.2:80) x1 in=7/20560 out=9/563',
    // masqueraded (reply destination = the router), still forwarded traffic
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7001 x1 in=0/0 out=1/60',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7002 x1 in=1/60 out=1/60',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7003 x1 in=1/60 out=3/164',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7004 x1 in=4/616 out=5/367',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7005 x1 in=4/344 out=5/332',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7006 x1 in=3/1624 out=4/733',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:7008 x1 in=3/3164 out=5/1268',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:80 x2 in=17/68060 out=17/1066',
    'forward tcp 10.1.0.2:many ==> 10.2.0.2:8000 x2 in=14/22353 out=15/970',
    'forward tcp [fd00:a1::2]:many ==> [fd00:a2::2]:7001 x1 in=0/0 out=1/80',
    'forward tcp [fd00:a1::2]:many ==> [fd00:a2::2]:7003 x1 in=1/80 out=3/224',
    'forward tcp [fd00:a1::2]:many ==> [fd00:a2::2]:7006 x1 in=3/1684 out=4/507',
    'forward tcp [fd00:a1::2]:many ==> [fd00:a2::2]:80 x1 in=6/1861 out=6/526',
    'forward udp 10.1.0.2:many ==> 10.1.0.1:5353 (nat 10.2.0.2:53) x1 in=1/61 out=1/61',
    'forward udp 10.1.0.2:many ==> 10.2.0.2:123 x1 in=1/76 out=1/76',
    'forward udp 10.1.0.2:many ==> 10.2.0.2:53 x1 in=2/140 out=2/140',
    'forward udp 10.1.0.2:many ==> 10.2.0.2:6000 x1 in=1/98 out=1/98',
    'forward udp 10.1.0.2:many ==> 10.2.0.3:514 x1 in=0/0 out=1/148',
    'forward udp [fd00:a1::2]:many ==> [fd00:a2::2]:53 x1 in=1/100 out=1/100',
    'forward udp [fd00:a1::2]:many ==> [fd00:a2::3]:514 x1 in=0/0 out=1/108',
    // to the router itself
    'passive icmp 10.1.0.1:8 <-- 10.1.0.2:many x1 in=1/84 out=1/84',
    'passive tcp 10.1.0.1:2200 <-- 10.1.0.2:many x1 in=4/228 out=3/228',
  ].sort());
  // independent check against the capture script's own totals
  const facts = JSON.parse(readFileSync(fixture('nat-router/expected_facts.json'), 'utf8')) as { flows: { total_bytes: number }[] };
  const total = facts.flows.reduce((n, f) => n + f.total_bytes, 0);
  assert.equal(flows.reduce((n, f) => n + f.inBytes + f.outBytes, 0), total);
  assert.equal(flows.reduce((n, f) => n + f.connections, 0), 34);
});

test('the same table seen from the client namespace: everything is active, NAT invisible to the key', () => {
  const flows = aggregate(conns('nat-router/proc_nf_conntrack.txt'), new Set(['10.1.0.2', 'fd00:a1::2']));
  const dirs = new Map<string, number>();
  for (const f of flows) dirs.set(f.direction, (dirs.get(f.direction) ?? 0) + f.connections);
  // the router's own ping (10.2.0.1 -> 10.2.0.2) is foreign to the client: forward
  assert.deepStrictEqual([...dirs].sort(), [['active', 33], ['forward', 1]]);
  // active flows name the real server (reply source) and its port, after DNAT
  assert.deepStrictEqual(
    flows.filter((f) => f.direction === 'active' && f.peer.port === 22).map((f) => line(f)),
    ['active tcp 10.1.0.2:many --> 10.2.0.2:22 x1 in=3/1612 out=4/517'],
  );
});

test('proto-zoo: SCTP/UDP-Lite by port, GRE by key, ICMP by type, portless protocols by address', () => {
  const flows = aggregate(conns('proto-zoo/proc_nf_conntrack.txt'), new Set(['10.4.0.1', 'fd00:a4::1']));
  const lines = flows.map((f) => line(f, false)).sort();
  assert.deepStrictEqual(lines.filter((l) => / (gre|esp|unknown|dccp|icmp) /.test(l)), [
    'active dccp 10.4.0.1 --> 10.4.0.2 x1', // no DCCP tracker on 6.18: no ports, still counted
    'active dccp [fd00:a4::1] --> [fd00:a4::2] x1',
    'active esp 10.4.0.1 --> 10.4.0.2 x1',
    'active esp [fd00:a4::1] --> [fd00:a4::2] x1',
    'active gre 10.4.0.1:many --> 10.4.0.2:0 x1',
    'active gre 10.4.0.1:many --> 10.4.0.2:1185 x1', // PPTP call id 0x4a1
    'active gre [fd00:a4::1]:many --> [fd00:a4::2]:0 x1',
    'active gre [fd00:a4::1]:many --> [fd00:a4::2]:1186 x1',
    'active icmp 10.4.0.1:many --> 10.4.0.2:13 x1', // timestamp request
    'active icmp 10.4.0.1:many --> 10.4.0.2:8 x1',
    'active unknown 10.4.0.1 --> 10.4.0.2 x1', // protocol 253
    'active unknown [fd00:a4::1] --> [fd00:a4::2] x1',
    'passive icmp 10.4.0.1:8 <-- 10.4.0.2:many x1', // B pinged A
  ]);
  assert.deepStrictEqual(lines.filter((l) => / sctp /.test(l)), [
    'active sctp 10.4.0.1:many --> 10.4.0.2:2905 x5',
    'active sctp 10.4.0.1:many --> 10.4.0.2:36412 x5',
    'active sctp 10.4.0.1:many --> 10.4.0.2:3868 x1',
    'active sctp [fd00:a4::1]:many --> [fd00:a4::2]:3868 x1',
  ]);
  assert.equal(flows.reduce((n, f) => n + f.connections, 0), 35);
});

/** A conntrack -L line → Conn, for hand-made cases. */
function one(text: string): Conn {
  const c = parseConnLine(text);
  assert.ok(c, text);
  return c;
}

test('a peer connecting FROM port 80 to a service on 50505 is passive on 50505', () => {
  const c = one('tcp      6 431999 ESTABLISHED src=192.0.2.7 dst=10.0.0.5 sport=80 dport=50505 src=10.0.0.5 dst=192.0.2.7 sport=50505 dport=80 [ASSURED] mark=0 use=1');
  assert.deepStrictEqual(classify(c, new Set(['10.0.0.5'])), {
    direction: 'passive', local: { addr: '10.0.0.5', port: 50505 }, peer: { addr: '192.0.2.7', port: 'many' },
    natTarget: undefined, originalIsOutbound: false,
  });
});

test('a connection redirected (DNAT) to this host is passive on the real port', () => {
  const c = one('tcp      6 431999 ESTABLISHED src=192.0.2.7 dst=198.51.100.1 sport=40000 dport=80 src=10.0.0.5 dst=192.0.2.7 sport=8080 dport=40000 [ASSURED] mark=0 use=1');
  assert.deepStrictEqual(classify(c, new Set(['10.0.0.5'])).local, { addr: '10.0.0.5', port: 8080 });
});

test("the host's own traffic stays active after SNAT; an unspecified source is recognised by the reply", () => {
  const snat = one('udp      17 29 src=10.0.0.5 dst=192.0.2.9 sport=5000 dport=53 src=192.0.2.9 dst=203.0.113.1 sport=53 dport=61000 mark=0 use=1');
  assert.equal(classify(snat, new Set(['10.0.0.5', '203.0.113.1'])).direction, 'active');
  const dhcp = one('udp      17 29 src=0.0.0.0 dst=192.0.2.1 sport=68 dport=67 src=192.0.2.1 dst=10.0.0.5 sport=67 dport=68 mark=0 use=1');
  const k = classify(dhcp, new Set(['10.0.0.5']));
  assert.deepStrictEqual([k.direction, k.local, k.peer], ['active', { addr: '10.0.0.5', port: 'many' }, { addr: '192.0.2.1', port: 67 }]);
});

test('active counters: outbound = original, inbound = reply; passive the reverse', () => {
  const out = one('tcp      6 10 ESTABLISHED src=10.0.0.5 dst=192.0.2.9 sport=40000 dport=443 packets=3 bytes=300 src=192.0.2.9 dst=10.0.0.5 sport=443 dport=40000 packets=5 bytes=5000 [ASSURED] mark=0 use=1');
  const inb = one('tcp      6 10 ESTABLISHED src=192.0.2.9 dst=10.0.0.5 sport=40001 dport=22 packets=7 bytes=700 src=10.0.0.5 dst=192.0.2.9 sport=22 dport=40001 packets=2 bytes=200 [ASSURED] mark=0 use=1');
  assert.deepStrictEqual(aggregate([out, inb], new Set(['10.0.0.5'])).map((f) => line(f)), [
    'active tcp 10.0.0.5:many --> 192.0.2.9:443 x1 in=5/5000 out=3/300',
    'passive tcp 10.0.0.5:22 <-- 192.0.2.9:many x1 in=7/700 out=2/200',
  ]);
});

test('memory is one entry per flow: 10,000 connections of one flow are one Map entry', () => {
  const agg = new HostFlowAggregator(new Set(['10.0.0.5']));
  for (let i = 0; i < 10000; i++) {
    agg.add(one(`tcp      6 10 TIME_WAIT src=10.0.0.5 dst=192.0.2.9 sport=${10000 + (i % 50000)} dport=443 packets=1 bytes=60 src=192.0.2.9 dst=10.0.0.5 sport=443 dport=${10000 + i} packets=1 bytes=40 [ASSURED] mark=0 use=1`));
  }
  assert.equal(agg.size, 1);
  assert.deepStrictEqual(agg.values().map((f) => line(f)), ['active tcp 10.0.0.5:many --> 192.0.2.9:443 x10000 in=10000/400000 out=10000/600000']);
});

// The aggregator classifies on address ids and finds flows by int32 keys; this reference does it
// the plain way (classify() and one identity string per connection). They must agree exactly.
test('the aggregator gives the flows of classify() grouped by identity, on every fixture and a generated table', async () => {
  const { fixtureFiles, lineRanges } = await import('../helpers/fixture-lines.js');
  const { parseConnLine: parse } = await import('../../src/parse/conn-line.js');
  const reference = (list: readonly Conn[], local: ReadonlySet<string>): HostFlow[] => {
    const byId = new Map<string, HostFlow>();
    for (const c of list) {
      const k = classify(c, local);
      const id = [k.direction, c.protocol, c.protonum, c.family, k.local.addr, k.local.port, k.peer.addr, k.peer.port, k.natTarget?.addr, k.natTarget?.port].join('|');
      let f = byId.get(id);
      if (f === undefined) {
        f = { direction: k.direction, protocol: c.protocol, protonum: c.protonum, family: c.family, local: k.local, peer: k.peer, natTarget: k.natTarget, connections: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, counted: 0 };
        byId.set(id, f);
      }
      f.connections++;
      if (c.original.packets === undefined && c.reply.packets === undefined) continue;
      f.counted++;
      const [out, inb] = k.originalIsOutbound ? [c.original, c.reply] : [c.reply, c.original];
      f.outPackets += out.packets ?? 0;
      f.outBytes += out.bytes ?? 0;
      f.inPackets += inb.packets ?? 0;
      f.inBytes += inb.bytes ?? 0;
    }
    return [...byId.values()];
  };
  const locals: Array<ReadonlySet<string>> = [ROUTER, LOCAL_HOST, new Set(['10.0.1.5', '2001:db8:1::5']), new Set(['0.0.0.0', '::', '10.0.0.1']), new Set()];
  let compared = 0;
  for (const file of fixtureFiles()) {
    const list = lineRanges(file.bytes).map(([s, e]) => parse(file.bytes.toString('latin1', s, e))).filter((c): c is Conn => c !== undefined);
    if (list.length === 0) continue;
    for (const local of locals) {
      const agg = new HostFlowAggregator(local);
      for (const c of list) agg.add(c);
      assert.deepStrictEqual(sortFlows(agg.values()), sortFlows(reference(list, local)), file.name);
      compared += list.length;
    }
  }
  assert.ok(compared > 1000);
});

// flows counts a line the fast path read from its scan (address values, no record): it must give
// exactly the flows that counting the full parser's records gives, on every line we have
test('a scanned line counts into the flow its record does, on every fixture line', () => {
  let scanned = 0;
  for (const local of FIXTURE_LOCAL_SETS) {
    for (const file of fixtureFiles()) {
      const byRecord = new HostFlowAggregator(new Set(local));
      const byScan = new HostFlowAggregator(new Set(local));
      for (const [start, end] of lineRanges(file.bytes)) {
        const c = parseConnLine(file.bytes.toString('latin1', start, end));
        if (c !== undefined) byRecord.count(scanOfConn(c));
        const s = scanConnBytes(file.bytes, start, end);
        if (s !== undefined) {
          scanned++;
          byScan.count(s);
        } else if (c !== undefined) {
          byScan.count(scanOfConn(c));
        }
      }
      assert.deepStrictEqual(byScan.values(), byRecord.values(), `${file.name} with local ${local.join(',')}`);
    }
  }
  assert.ok(scanned > 1500, `scanned ${scanned} lines`);
});

// the kernel offloads flows only on hardware and flowtables this machine cannot set up on demand:
// hand-written lines, as /proc prints them
test('offloaded entries count like any other ([OFFLOAD], [HW_OFFLOAD])', () => {
  const offloaded = [
    'ipv4     2 tcp      6 src=10.1.0.2 dst=192.0.2.80 sport=40000 dport=443 packets=10 bytes=1000 src=192.0.2.80 dst=10.1.0.2 sport=443 dport=40000 packets=8 bytes=8000 [OFFLOAD] mark=0 zone=0 use=3',
    'ipv4     2 tcp      6 src=10.1.0.3 dst=192.0.2.80 sport=40001 dport=443 packets=1 bytes=100 src=192.0.2.80 dst=10.1.0.3 sport=443 dport=40001 packets=1 bytes=200 [HW_OFFLOAD] mark=0 zone=0 use=3',
    'ipv4     2 udp      17 src=10.2.0.1 dst=192.0.2.53 sport=5000 dport=53 packets=2 bytes=120 src=192.0.2.53 dst=10.2.0.1 sport=53 dport=5000 packets=2 bytes=300 [OFFLOAD] mark=0 zone=0 use=2',
  ].map((l) => parseConnLine(l)!);
  assert.deepStrictEqual(offloaded.map((c) => [c.offload, c.hwOffload]), [[true, false], [false, true], [true, false]]);
  const flows = aggregate(offloaded, new Set(['10.2.0.1']));
  assert.deepStrictEqual(flows.map((f) => line(f)), [
    'forward tcp 10.1.0.2:many ==> 192.0.2.80:443 x1 in=8/8000 out=10/1000',
    'forward tcp 10.1.0.3:many ==> 192.0.2.80:443 x1 in=1/200 out=1/100',
    'active udp 10.2.0.1:many --> 192.0.2.53:53 x1 in=2/300 out=2/120',
  ]);
});

// the flags of addresses live in an array that grows as addresses come: the local set's own
// numbering must not write into the array a growth just replaced (a host with >1024 addresses)
test('every one of 2,000 local addresses counts as this host', () => {
  const local = Array.from({ length: 2000 }, (_, i) => `10.9.${i >> 8}.${i & 255}`);
  const agg = new HostFlowAggregator(new Set(local));
  for (const i of [0, 1023, 1024, 1999]) {
    agg.add(parseConnLine(`ipv4 2 tcp 6 100 ESTABLISHED src=${local[i]} dst=192.0.2.1 sport=40000 dport=443 src=192.0.2.1 dst=${local[i]} sport=443 dport=40000 [ASSURED] mark=0 use=1`)!);
  }
  assert.deepStrictEqual(agg.values().map((f) => line(f, false)), [
    'active tcp 10.9.0.0:many --> 192.0.2.1:443 x1',
    'active tcp 10.9.3.255:many --> 192.0.2.1:443 x1',
    'active tcp 10.9.4.0:many --> 192.0.2.1:443 x1',
    'active tcp 10.9.7.207:many --> 192.0.2.1:443 x1',
  ]);
});
