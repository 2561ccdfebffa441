import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conn } from '../../src/model.js';
import { connOfScan, parseConnBytes, scanConnBytes } from '../../src/parse/conn-bytes.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { connToJsonLine } from '../../src/render/conn-json.js';
import { CONN_JSON_MAX, writeConnJson, writeScanJson } from '../../src/render/conn-json-bytes.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

/** The bytes writeConnJson leaves at an offset in a dirty buffer, or undefined when it declined. */
function written(c: Conn, at = 7): string | undefined {
  const buf = Buffer.alloc(at + CONN_JSON_MAX, 0x78);
  const end = writeConnJson(c, buf, at);
  if (end < 0) return undefined;
  return buf.toString('utf8', at, end);
}

test('writes exactly connToJsonLine for every fixture record it takes, from both parsers', () => {
  let records = 0;
  let declined = 0;
  for (const file of fixtureFiles()) {
    for (const [s, e] of lineRanges(file.bytes)) {
      for (const c of [parseConnLine(file.bytes.toString('latin1', s, e)), parseConnBytes(file.bytes, s, e)]) {
        if (c === undefined) continue;
        const got = written(c);
        if (got === undefined) {
          declined++;
          // only a record with labels, extra fields or text that needs escaping is left to the string writer
          assert.ok(c.labels !== undefined || c.extra !== undefined || /[^\x20-\x7e]|["\\]/.test(connToJsonLine(c).slice(0, -1).replace(/\\"|"/g, '')),
            connToJsonLine(c));
          continue;
        }
        records++;
        assert.equal(got, connToJsonLine(c));
      }
    }
  }
  assert.ok(records > 2000, `${records} records`);
  assert.ok(declined < records / 10, `${declined} declined`);
});

const base = parseConnLine(
  'ipv4 2 tcp 6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=1 dport=2 packets=3 bytes=180 src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1 packets=2 bytes=120 [ASSURED] mark=4294967295 zone=7 use=1',
)!;

test('numbers of every size come out as JSON.stringify prints them', () => {
  for (const n of [0, 9, 10, 99, 100, 2147483647, 2147483648, 4294967295, 1e15, 2 ** 53 - 1]) {
    const c: Conn = { ...base, timeout: n, original: { ...base.original, bytes: n } };
    assert.equal(written(c), connToJsonLine(c));
  }
});

test('every optional field, offload flags and icmp/gre tuple values are written like connToJsonLine', () => {
  const c: Conn = {
    ...base, offload: true, hwOffload: true, secctx: 'system_u:object_r:unlabeled_t:s0', id: 12345, helper: 'ftp',
    deltaTime: 77, start: 'Tue Nov 24 09:16:00 2026', stop: 'Tue Nov 24 09:17:00 2026', nat: 'both',
    reply: { ...base.reply, type: 8, code: 0, id: 99, srckey: 1, dstkey: 2, zone: 3 },
  };
  assert.equal(written(c), connToJsonLine(c));
});

test('declines what needs escaping or JSON.stringify: quotes, non-ASCII, labels, extra, negative or fractional numbers', () => {
  const cases: Conn[] = [
    { ...base, helper: 'f"tp' },
    { ...base, secctx: 'caf\u00e9' },
    { ...base, labels: ['a'] },
    { ...base, extra: { k: 'v' } },
    { ...base, deltaTime: -1 },
    { ...base, timeout: 1.5 },
    { ...base, start: 'x'.repeat(300) },
  ];
  assert.deepStrictEqual(cases.map((c) => written(c)), cases.map(() => undefined));
});

test('writeScanJson writes exactly connToJsonLine of the record, for every line the fast path reads', () => {
  let lines = 0;
  for (const file of fixtureFiles()) {
    for (const [s, e] of lineRanges(file.bytes)) {
      const scan = scanConnBytes(file.bytes, s, e);
      if (scan === undefined) continue;
      const want = connToJsonLine(connOfScan(scan));
      const buf = Buffer.alloc(7 + CONN_JSON_MAX, 0x78);
      const end = writeScanJson(scan, buf, 7);
      assert.ok(end > 0, want);
      assert.equal(buf.toString('utf8', 7, end), want);
      lines++;
    }
  }
  assert.ok(lines > 1000, `${lines} lines`);
});
