import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConnBytes } from '../../src/parse/conn-bytes.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const fast = (line: string) => {
  // the line sits inside a larger buffer, as in a real chunk
  const buf = latin1(`garbage=1 src=1.2.3.4\n${line}\nsport=5 dport=6`);
  return parseConnBytes(buf, 22, 22 + line.length);
};

test('the fast path gives the full parser\'s record for every fixture line it reads', () => {
  let read = 0;
  let lines = 0;
  for (const file of fixtureFiles()) {
    for (const [start, end] of lineRanges(file.bytes)) {
      lines++;
      const quick = parseConnBytes(file.bytes, start, end);
      if (quick === undefined) continue;
      read++;
      const text = file.bytes.toString('latin1', start, end);
      assert.deepStrictEqual(quick, parseConnLine(text), `${file.name}: ${text}`);
    }
  }
  // it is a fast path, not a no-op: it reads the common lines of the captures
  assert.ok(read > 500 && read < lines, `fast path read ${read} of ${lines} lines`);
});

test('reads every line of the benchmark generator\'s tables on the fast path', () => {
  for (const file of fixtureFiles().filter((f) => f.name.startsWith('generated/'))) {
    const missed = lineRanges(file.bytes)
      .filter(([s, e]) => parseConnBytes(file.bytes, s, e) === undefined)
      .map(([s, e]) => file.bytes.toString('latin1', s, e));
    assert.deepStrictEqual(missed, [], file.name);
  }
});

const COMMON = [
  'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 packets=2 bytes=120 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 udp      17 29 src=10.0.0.2 dst=10.0.1.2 sport=5353 dport=53 [UNREPLIED] src=10.0.1.2 dst=10.0.0.2 sport=53 dport=5353 mark=7 zone=0 use=2',
  'ipv4     2 icmp     1 29 src=10.0.0.2 dst=10.0.1.2 type=8 code=0 id=77 src=10.0.1.2 dst=10.0.0.2 type=0 code=0 id=77 mark=0 zone=0 use=2',
  'ipv6     10 tcp      6 117 SYN_SENT src=fd00:00a2:0000:0000:0000:0000:0000:0002 dst=fd00:00a3:0000:0000:0000:0000:0000:0010 sport=40000 dport=22 [UNREPLIED] src=fd00:00a3:0000:0000:0000:0000:0000:0010 dst=fd00:00a2:0000:0000:0000:0000:0000:0002 sport=22 dport=40000 mark=0 zone=0 use=2',
  'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=192.168.1.1 dst=10.0.0.2 sport=80 dport=51000 [ASSURED] mark=0 use=1',
  'udp      17 29 src=fd00:a2::2 dst=fd00:a3::10 sport=5353 dport=53 src=fd00:a3::10 dst=fd00:a2::2 sport=53 dport=5353 mark=0 use=1',
  // DCCP without a tracker: the made-up ports 0 of conntrack -L are dropped by both paths
  'dccp     33 598 src=10.4.0.1 dst=10.4.0.2 sport=0 dport=0 packets=3 bytes=180 src=10.4.0.2 dst=10.4.0.1 sport=0 dport=0 packets=1 bytes=44 mark=0 use=1',
  'ipv4     2 dccp     33 599 OPEN src=10.4.0.1 dst=10.4.0.2 sport=0 dport=0 src=10.4.0.2 dst=10.4.0.1 sport=0 dport=0 mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 10 CLOSE src=10.0.0.2 dst=10.0.1.2 sport=1 dport=2 src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1 [ASSURED] [OFFLOAD] mark=4294967295 zone=65535 use=2\r',
];

test('reads the common /proc and conntrack -L shapes itself, with the same record', () => {
  for (const line of COMMON) {
    const quick = fast(line);
    assert.notEqual(quick, undefined, line);
    assert.deepStrictEqual(quick, parseConnLine(line), line);
  }
});

test('leaves every other shape to the full parser', () => {
  const others = [
    'ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=10.0.0.2 dst=10.0.1.2 srckey=0x0 dstkey=0x4a1 src=10.0.1.2 dst=10.0.0.2 srckey=0x4a1 dstkey=0x0 mark=0 zone=0 use=2',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 zone-orig=7 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 [ASSURED] mark=0 use=1',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 [ASSURED] mark=0 use=1 id=3735928559',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 [ASSURED] mark=0 helper=ftp use=1',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 [ASSURED] mark=0 use=1 labels=a,b',
    'unknown  253 599 src=10.0.0.2 dst=10.0.1.2 src=10.0.1.2 dst=10.0.0.2 mark=0 use=1',
    'tcp\t6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 use=1',
    'tcp      6 431999 ESTABLISHED src=10.0.0.02 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 use=1',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=70000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 dport=51000 use=1',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=51000 dport=80 src=10.0.1.2 dst=10.0.0.2 sport=80 use=1',
    '',
    'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.',
  ];
  for (const line of others) assert.equal(fast(line), undefined, line);
});

/** Small edits that push a line toward the edges of the grammar. */
const PIECES = [' ', '  ', '=', '0', '9', '1', ':', '::', '.', 'a', 'f', 'g', '[', ']', '\t', '\r', '-', 'x', '00', '255', '256',
  '65535', '65536', '4294967296', '12345678901234567890', 'src=', 'dst=', 'sport=', 'id=', 'zone=', '[ASSURED]', 'ipv4', 'ipv6',
  'ESTABLISHED', 'LISTEN', 'BOGUS', 'use=1'];

test('agrees with the full parser on mutated fixture lines', () => {
  const lines: string[] = [];
  for (const file of fixtureFiles()) {
    for (const [s, e] of lineRanges(file.bytes)) {
      if (parseConnBytes(file.bytes, s, e) !== undefined) lines.push(file.bytes.toString('latin1', s, e));
    }
  }
  lines.push(...COMMON);
  fc.assert(
    fc.property(
      fc.constantFrom(...lines),
      fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 3 }),
      (line, edits) => {
        let text = line;
        for (const [at, cut, piece] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + piece + text.slice(i + cut);
        }
        const quick = fast(text);
        if (quick !== undefined) assert.deepStrictEqual(quick, parseConnLine(text), text);
      },
    ),
    { numRuns: 3000, seed: 8 },
  );
});
