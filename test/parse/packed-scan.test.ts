import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnScan, connOfScan, scanConnBytes } from '../../src/parse/conn-bytes.js';
import { connLineSink, emptyReport, storedRowSink } from '../../src/parse/conn-records.js';
import { PACKED_MAX, PACKED_ROW, packScan, unpackScan } from '../../src/parse/packed-scan.js';
import type { Conn } from '../../src/model.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

/** A scan's fields as plain data, to compare two scans. */
const fields = (s: ConnScan) => ({
  v6: s.v6, protocol: s.protocol, protonum: s.protonum, timeout: s.timeout, state: s.state, assured: s.assured,
  unreplied: s.unreplied, offload: s.offload, hwOffload: s.hwOffload, mark: s.mark, zone: s.zone, use: s.use,
  words: Array.from(s.words), texts: [...s.texts], nums: Array.from(s.nums), record: s.record,
});

/** `line` read by the fast path (the scan's fields), packed at `at` in a buffer of other bytes, and unpacked. */
function roundTrip(line: Buffer, at = 3): { read: ReturnType<typeof fields>; unpacked: ReturnType<typeof fields> | undefined; bytes: Buffer } {
  const s = scanConnBytes(line, 0, line.length);
  assert.ok(s !== undefined, line.toString('latin1'));
  const read = fields(s);
  const buf = Buffer.alloc(at + PACKED_MAX, 0x0a);
  const end = packScan(s, buf, at);
  if (end < 0) return { read, unpacked: undefined, bytes: Buffer.alloc(0) };
  return { read, unpacked: fields(unpackScan(buf, at)), bytes: buf.subarray(at, end) };
}

test('every fixture line the fast path reads packs and unpacks to the same scan, with no newline in it', () => {
  let packed = 0;
  let kept = 0;
  for (const file of fixtureFiles()) {
    for (const [start, end] of lineRanges(file.bytes)) {
      const line = file.bytes.subarray(start, end);
      if (scanConnBytes(line, 0, line.length) === undefined) continue;
      const { read, unpacked, bytes } = roundTrip(line);
      if (unpacked === undefined) {
        // only a scan with an address's text given (another spelling than /proc's) stays a line
        assert.ok(read.texts.some((t) => t !== undefined), `${file.name}: ${line.toString('latin1')}`);
        kept++;
        continue;
      }
      packed++;
      assert.deepStrictEqual(unpacked, read, `${file.name}: ${line.toString('latin1')}`);
      assert.equal(bytes[0], PACKED_ROW);
      assert.ok(bytes.subarray(1).every((b) => b >= 0x40), `${file.name}: a packed byte under 0x40`);
      assert.ok(bytes.length < line.length / 2, `${bytes.length} packed bytes of a ${line.length}-byte line`);
    }
  }
  assert.ok(packed > 1000, `${packed} packed`);
  assert.ok(kept > 10, `${kept} kept as lines (conntrack -L's compressed IPv6)`);
});

test('packs the extremes of every field exactly', () => {
  const lines = [
    // counters of 15 digits (past 2^32), the largest mark, zone and use, every flag
    'ipv4     2 tcp      6 4294967295 ESTABLISHED src=255.255.255.255 dst=0.0.0.0 sport=65535 dport=0 packets=999999999999999 bytes=999999999999999 src=128.0.0.1 dst=1.2.3.4 sport=0 dport=65535 packets=4294967296 bytes=2147483648 [ASSURED] [OFFLOAD] mark=4294967295 zone=65535 use=4294967295',
    'ipv4     2 tcp      6 0 CLOSE src=10.0.0.2 dst=10.0.1.2 sport=1 dport=2 [UNREPLIED] src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1 [HW_OFFLOAD] mark=0 zone=0 use=0',
    // no timeout, no state (conntrack -L of an untracked DCCP entry), IPv6 words with their top bits set
    'ipv6     10 dccp     33 src=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff dst=8000:0000:0000:0000:0000:0000:0000:0001 sport=0 dport=0 src=0000:0000:0000:0000:0000:0000:0000:0000 dst=fe80:0000:0000:0000:0000:0000:8000:0000 sport=0 dport=0 mark=0 zone=0 use=1',
    // icmp without id=
    'ipv4     2 icmp     1 29 src=10.0.0.2 dst=10.0.1.2 type=3 code=1 src=10.0.1.2 dst=10.0.0.2 type=0 code=0 mark=0 zone=0 use=2',
  ];
  for (const text of lines) {
    const { read, unpacked } = roundTrip(Buffer.from(text, 'latin1'), 0);
    assert.deepStrictEqual(unpacked, read, text);
  }
});

test('a scan of the full parser\'s record, or with an address\'s text, is not packed', () => {
  const compressed = Buffer.from('udp      17 29 src=fd00:a2::2 dst=fd00:a3::10 sport=5353 dport=53 src=fd00:a3::10 dst=fd00:a2::2 sport=53 dport=5353 mark=0 use=1');
  assert.equal(roundTrip(compressed).unpacked, undefined);
  const s = new ConnScan();
  s.record = {} as Conn;
  assert.equal(packScan(s, Buffer.alloc(PACKED_MAX), 0), -1);
  const line = Buffer.from('ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 [ASSURED] mark=0 zone=0 use=2');
  const scan = scanConnBytes(line, 0, line.length)!;
  scan.state = 'OPEN';
  assert.equal(packScan(scan, Buffer.alloc(PACKED_MAX), 0), -1, 'a state tcp does not have');
});

test('storedRowSink reads a packed row as its scan and any other row as its line', () => {
  const lines = [
    'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 packets=2 bytes=120 [ASSURED] mark=0 zone=0 use=2',
    // the full parser's shape (a GRE key)
    'ipv4     2 gre      47 179 src=10.0.0.2 dst=10.0.1.2 srckey=0x1 dstkey=0x2 src=10.0.1.2 dst=10.0.0.2 srckey=0x2 dstkey=0x1 mark=0 zone=0 use=2',
  ];
  const want: Conn[] = [];
  const direct = connLineSink(emptyReport(), false, (c) => want.push(c), (s) => want.push(connOfScan(s)));
  const rows: Buffer[] = [];
  for (const text of lines) {
    const line = Buffer.from(text);
    direct.line(line, 0, line.length);
    const s = scanConnBytes(line, 0, line.length);
    const buf = Buffer.alloc(PACKED_MAX);
    const end = s === undefined ? -1 : packScan(s, buf, 0);
    rows.push(end < 0 ? line : buf.subarray(0, end));
  }
  assert.equal(rows[0]![0], PACKED_ROW);
  assert.equal(rows[1]!.toString(), lines[1]);
  const report = emptyReport();
  const got: Array<[string, Conn]> = [];
  const stored = storedRowSink(report, false, (c) => got.push(['record', c]), (s) => got.push(['scan', connOfScan(s)]));
  for (const row of rows) stored.line(row, 0, row.length);
  assert.deepStrictEqual(got, [['scan', want[0]!], ['record', want[1]!]]);
  assert.deepStrictEqual([report.lines, report.records, report.skipped], [2, 2, 0]);
});
