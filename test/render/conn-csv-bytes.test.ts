import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connOfScan, scanConnBytes, scanOfConn } from '../../src/parse/conn-bytes.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { connToCsv } from '../../src/render/conn-csv.js';
import { CONN_CSV_MAX, writeScanCsv } from '../../src/render/conn-csv-bytes.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

/** The bytes writeScanCsv leaves at an offset in a dirty buffer, or undefined when it declined. */
function written(line: Buffer): { got: string | undefined; want: string } | undefined {
  const scan = scanConnBytes(line, 0, line.length);
  if (scan === undefined) return undefined;
  const want = connToCsv(connOfScan(scan));
  const buf = Buffer.alloc(7 + CONN_CSV_MAX, 0x78);
  const end = writeScanCsv(scan, buf, 7);
  return { got: end < 0 ? undefined : buf.toString('utf8', 7, end), want };
}

test('writeScanCsv writes exactly connToCsv of the record, for every line the fast path reads', () => {
  let lines = 0;
  const protocols = new Set<string>();
  for (const file of fixtureFiles()) {
    for (const [s, e] of lineRanges(file.bytes)) {
      const r = written(file.bytes.subarray(s, e));
      if (r === undefined) continue;
      assert.equal(r.got, r.want);
      protocols.add(r.want.split(',').slice(0, 2).join(','));
      lines++;
    }
  }
  assert.ok(lines > 1000, `${lines} lines`);
  // IPv4 and IPv6, with ports and ICMP type/code
  for (const p of ['ipv4,tcp', 'ipv4,udp', 'ipv4,icmp', 'ipv6,tcp', 'ipv6,icmpv6']) assert.ok(protocols.has(p), p);
});

const BASE = 'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=1 dport=2 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1 packets=2 bytes=120 [ASSURED] mark=4294967295 zone=7 use=1';

test('numbers of every size, no counters, no state, NAT and IPv6 come out as connToCsv writes them', () => {
  const lines = [
    ...[0, 9, 10, 99, 100, 2147483647, 2147483648, 4294967295, 1e15 - 1].map((n) => BASE.replace('bytes=180', `bytes=${n}`).replace('431999', String(n % 1e9))),
    BASE.replace(/ packets=\d+ bytes=\d+/g, ''),
    BASE.replace(' [ASSURED]', '').replace('ESTABLISHED ', 'SYN_SENT ').replace('src=10.0.0.2 dst=10.0.1.2 sport=1', 'src=10.0.0.2 dst=10.0.1.2 sport=1').replace(/ mark=\d+ zone=\d+/, ' mark=0'),
    BASE.replace('src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1', 'src=192.168.9.9 dst=10.0.0.2 sport=8080 dport=1'),
    BASE.replace('src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1', 'src=10.0.1.2 dst=203.0.113.1 sport=2 dport=40000'),
    'ipv4     2 udp      17 29 src=10.0.0.2 dst=10.0.0.255 sport=137 dport=137 packets=1 bytes=78 [UNREPLIED] src=10.0.0.255 dst=10.0.0.2 sport=137 dport=137 packets=0 bytes=0 mark=0 zone=0 use=2',
    'ipv6     10 tcp      6 7436 ESTABLISHED src=fd00:0000:0000:0000:0000:0000:0000:0001 dst=fd00:0000:0000:0000:0000:0000:0000:0002 sport=40000 dport=22 packets=10 bytes=900 src=fd00:0000:0000:0000:0000:0000:0000:0002 dst=fd00:0000:0000:0000:0000:0000:0000:0001 sport=22 dport=40000 packets=8 bytes=1200 [ASSURED] mark=0 zone=0 use=2',
  ];
  for (const line of lines) {
    const r = written(Buffer.from(line));
    assert.ok(r !== undefined, line);
    assert.equal(r.got, r.want, line);
  }
});

test('declines a rare line\'s record (scanOfConn): connToCsv writes it', () => {
  const c = parseConnLine('ipv4     2 gre      47 179 src=10.0.0.2 dst=10.0.1.2 srckey=0x1 dstkey=0x2 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 srckey=0x2 dstkey=0x1 packets=2 bytes=120 [ASSURED] mark=0 zone=0 use=1')!;
  assert.ok(c !== undefined);
  const buf = Buffer.alloc(CONN_CSV_MAX);
  assert.equal(writeScanCsv(scanOfConn(c), buf, 0), -1);
});
