import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connOfScan, scanConnBytes, scanOfConn } from '../../src/parse/conn-bytes.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { widenToCells } from '../../src/render/box-table.js';
import { rowOfCells } from '../../src/render/cell-rows.js';
import { scanCellRowWriter } from '../../src/render/conn-cells-bytes.js';
import { GrowBuffer } from '../../src/source/byte-sink.js';
import { connTableOf } from '../../src/scan/conn-table-job.js';
import type { TableLayout } from '../../src/render/table-layout.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

// (a services file of our own: the machine's may name other ports)
const dir = mkdtempSync(join(tmpdir(), 'ctflow-cells-'));
const services = join(dir, 'services');
writeFileSync(services, 'ssh 22/tcp\nhttp 80/tcp\nhttps 443/tcp\nhttps 443/udp\ndomain 53/udp\nntp 123/udp\nnetbios-ns 137/udp\nhttp-alt 8080/tcp\n');
process.env.CTFLOW_SERVICES = services;

/** Every line the fast path reads, as the byte writer writes it and as the cells make it, with the widths each measures. */
function compare(lines: Buffer[], numeric: boolean, layout: TableLayout): { rows: number; declined: number } {
  const { columns, cells } = connTableOf({ color: false, numeric, layout });
  const write = scanCellRowWriter(layout, numeric);
  const into = new Array<string>(columns.length).fill('');
  const got = new GrowBuffer(1 << 16);
  const gotWidths = columns.map(() => 0);
  const wantWidths = columns.map(() => 0);
  let rows = 0;
  let declined = 0;
  for (const line of lines) {
    const scan = scanConnBytes(line, 0, line.length);
    if (scan === undefined) continue;
    cells(connOfScan(scan), into);
    widenToCells(wantWidths, into);
    // after what the sink holds already, as in a batch's output
    got.write('x');
    if (!write(scan, got, gotWidths)) {
      assert.equal(got.take().toString(), 'x', 'nothing written when declined');
      declined++;
      widenToCells(gotWidths, into);
      continue;
    }
    const row = got.take();
    assert.equal(row.toString('utf8'), `x${rowOfCells(into)}`, line.toString());
    rows++;
  }
  assert.deepEqual(gotWidths, wantWidths);
  return { rows, declined };
}

const fixtureLines = fixtureFiles().flatMap((f) => lineRanges(f.bytes).map(([s, e]) => f.bytes.subarray(s, e)));

test('a scan\'s cell row is rowOfCells of its record\'s cells, for every line the fast path reads, with and without the Service column, in human and exact units', () => {
  for (const numeric of [false, true]) {
    for (const exact of [false, true]) {
      const { rows, declined } = compare(fixtureLines, numeric, { width: 80, exact });
      assert.ok(rows > 1000, `${rows} rows`);
      assert.equal(declined, 0);
    }
  }
});

const BASE = 'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=1 dport=22 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 sport=22 dport=1 packets=2 bytes=120 [ASSURED] mark=4294967295 zone=7 use=1';

test('counters of every size, no counters, no state, flags, NAT, ICMP and IPv6 come out as the cells make them', () => {
  const lines = [
    ...[0, 9, 1023, 1024, 10239, 99999, 1048575, 1e7, 2 ** 32, 1e15 - 1].map((n) => BASE.replace('bytes=180', `bytes=${n}`).replace('packets=3', `packets=${n}`).replace('431999', String(n % 1e6))),
    BASE.replace(/ packets=\d+ bytes=\d+/g, ''),
    BASE.replace(' [ASSURED]', '').replace('ESTABLISHED ', 'SYN_SENT ').replace(/ mark=\d+ zone=\d+/, ' mark=0'),
    BASE.replace(' [ASSURED]', ' [UNREPLIED]').replace('mark=4294967295', 'mark=0'),
    BASE.replace(' [ASSURED]', ' [ASSURED] [OFFLOAD]'),
    BASE.replace('src=10.0.1.2 dst=10.0.0.2 sport=22 dport=1', 'src=192.168.9.9 dst=10.0.0.2 sport=8443 dport=1'),
    BASE.replace('src=10.0.1.2 dst=10.0.0.2 sport=22 dport=1', 'src=10.0.1.2 dst=203.0.113.1 sport=22 dport=40000'),
    'ipv4     2 icmp     1 29 src=10.0.0.2 dst=10.0.0.1 type=8 code=0 id=4711 packets=1 bytes=84 src=10.0.0.1 dst=10.0.0.2 type=0 code=0 id=4711 packets=1 bytes=84 mark=0 zone=0 use=2',
    // (no id=: the fast path reads it, and the cells say id=0)
    'ipv4     2 icmp     1 29 src=10.0.0.2 dst=10.0.0.1 type=8 code=0 packets=1 bytes=84 src=10.0.0.1 dst=10.0.0.2 type=0 code=0 packets=1 bytes=84 mark=0 zone=0 use=2',
    'ipv4     2 udp      17 29 src=10.0.0.2 dst=10.0.0.255 sport=137 dport=137 packets=1 bytes=78 [UNREPLIED] src=10.0.0.255 dst=10.0.0.2 sport=137 dport=137 packets=0 bytes=0 mark=0 zone=0 use=2',
    'ipv6     10 tcp      6 7436 ESTABLISHED src=fd00:0000:0000:0000:0000:0000:0000:0001 dst=fd00:0000:0000:0000:0000:0000:0000:0002 sport=40000 dport=443 packets=10 bytes=900 src=fd00:0000:0000:0000:0000:0000:0000:0002 dst=fd00:0000:0000:0000:0000:0000:0000:0001 sport=443 dport=40000 packets=8 bytes=1200 [ASSURED] mark=0 zone=0 use=2',
    'ipv6     10 icmpv6   58 29 src=fd00::1 dst=fd00::2 type=128 code=0 id=9 packets=1 bytes=104 src=fd00::2 dst=fd00::1 type=129 code=0 id=9 packets=1 bytes=104 mark=0 zone=0 use=2',
  ].map((l) => Buffer.from(l));
  for (const layout of [{ width: undefined, exact: false }, { width: 80, exact: true }]) {
    const { rows, declined } = compare(lines, false, layout);
    assert.equal(rows, lines.length);
    assert.equal(declined, 0);
  }
});

test('declines a rare line\'s record (scanOfConn) and a services name that is not plain ASCII: the cells make those', () => {
  const odd = join(dir, 'services-odd');
  writeFileSync(odd, 'x-ünicode 8080/tcp\n');
  process.env.CTFLOW_SERVICES = odd;
  const write = scanCellRowWriter({ width: 80, exact: false }, false);
  const sink = new GrowBuffer(1024);
  const widths = new Array<number>(11).fill(0);
  const gre = parseConnLine('ipv4     2 gre      47 179 src=10.0.0.2 dst=10.0.1.2 srckey=0x1 dstkey=0x2 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 srckey=0x2 dstkey=0x1 packets=2 bytes=120 [ASSURED] mark=0 zone=0 use=1')!;
  assert.equal(write(scanOfConn(gre), sink, widths), false);
  const line = Buffer.from(BASE.replace(/sport=22/, 'sport=8080'));
  assert.equal(write(scanConnBytes(line, 0, line.length)!, sink, widths), false);
  assert.equal(sink.pos, 0);
  assert.deepEqual(widths, new Array<number>(11).fill(0));
  rmSync(dir, { recursive: true, force: true });
});
