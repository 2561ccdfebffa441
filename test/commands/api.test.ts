import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { protocolCatalogue } from '../../src/aggregate/protocols.js';
import { INVALID_REQUESTS } from '../helpers/api-requests.js';
import { fixture, runCli } from '../helpers/cli.js';

const NAT_PROC = fixture('nat-router/proc_nf_conntrack.txt');
const NAT_L = fixture('nat-router/conntrack_L.txt');

const STRING_FIELDS = [
  'layer', 'protocol', 'timeout', 'state', 'src', 'dst', 'sport', 'dport', 'packets', 'bytes', 'src_reply', 'dst_reply',
  'sport_reply', 'dport_reply', 'packets_reply', 'bytes_reply', 'status', 'mark', 'zone', 'use', 'delta-time',
];
const NUMBER_FIELDS = ['bytes_total', 'packets_total', 'nat'];
const KEYS = [...STRING_FIELDS, ...NUMBER_FIELDS, 'provider', 'ndpi', 'prio'];

async function api(endpoint: 'read' | 'delete', request: string, args: string[] = []): Promise<{ code: number | null; body: any; stderr: string }> {
  const r = await runCli(['api', endpoint, ...args], { stdin: request });
  assert.equal(r.stdout.endsWith('\n') && r.stdout.indexOf('\n') === r.stdout.length - 1, true, `one JSON line: ${r.stdout}`);
  return { code: r.code, body: JSON.parse(r.stdout), stderr: r.stderr };
}

function assertShape(conn: Record<string, unknown>, expand: boolean): void {
  assert.deepStrictEqual(Object.keys(conn), expand ? [...KEYS, 'src_zone', 'dst_zone'] : KEYS);
  for (const k of STRING_FIELDS) assert.equal(typeof conn[k], 'string', k);
  for (const k of NUMBER_FIELDS) assert.equal(typeof conn[k], 'number', k);
  assert.match(conn.mark as string, /^0x[0-9a-f]+$/);
}

test('{"action":"protocols"} answers the catalogue, each state list led by the UI\'s "" (all states)', async () => {
  const r = await api('read', '{"action":"protocols"}');
  assert.deepStrictEqual(r, {
    code: 0,
    body: {
      protocols: {
        tcp: ['', 'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'LISTEN', 'SYN_SENT2'],
        sctp: ['', 'NONE', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD', 'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED'],
        dccp: ['', 'NONE', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT', 'IGNORE', 'INVALID'],
        udp: [], udplite: [], icmp: [], icmpv6: [], gre: [],
      },
    },
    stderr: '',
  });
  // the API's copy is its own: the catalogue `ctflow protocols` prints has no "" entry
  assert.deepStrictEqual(protocolCatalogue().tcp![0], 'NONE');
});

test('the UI\'s requests as it sends them: limit 25, then "100", "25" and "" (all); a stale tcp state on udp', async () => {
  const ui = (limit: string, protocol = 'tcp', state = ''): Promise<{ code: number | null; body: any; stderr: string }> =>
    api('read', `{"action":"conntrack","protocol":"${protocol}","state":"${state}","limit":${limit}}`, ['--file', NAT_PROC]);
  const all = await api('read', '{"action":"conntrack","protocol":"tcp"}', ['--file', NAT_PROC]);
  assert.equal(all.body.connections.length, 21);
  const [first, hundred, quoted25, empty] = await Promise.all([ui('25'), ui('"100"'), ui('"25"'), ui('""')]);
  assert.deepStrictEqual(
    [first, hundred, quoted25, empty].map((r) => [r.code, r.stderr, r.body.connections]),
    [[0, '', all.body.connections], [0, '', all.body.connections], [0, '', all.body.connections], [0, '', all.body.connections]],
  );
  const two = await ui('"2"');
  assert.deepStrictEqual(two.body.connections, all.body.connections.slice(0, 2));
  // picked tcp ESTABLISHED, then udp: the UI keeps the state; no udp entry is ESTABLISHED
  assert.deepStrictEqual(await ui('"25"', 'udp', 'ESTABLISHED'), { code: 0, body: { connections: [] }, stderr: '' });
});

test('an icmp entry carries type, code, id and their _reply twins (nat-router, busiest icmp entry)', async () => {
  const r = await api('read', '{"action":"conntrack","protocol":"icmp","state":"","limit":"1"}', ['--file', NAT_PROC]);
  assert.deepStrictEqual(r, {
    code: 0,
    stderr: '',
    body: {
      connections: [{
        layer: 'ipv4', protocol: 'icmp', timeout: '27', state: '', src: '10.1.0.2', dst: '10.2.0.2', sport: '', dport: '',
        packets: '3', bytes: '252', src_reply: '10.2.0.2', dst_reply: '10.2.0.1', sport_reply: '', dport_reply: '',
        packets_reply: '3', bytes_reply: '252', status: '', mark: '0x0', zone: '0', use: '2', 'delta-time': '3',
        bytes_total: 504, packets_total: 6, nat: 1, provider: '', ndpi: '', prio: '',
        type: '8', code: '0', id: '11501', type_reply: '0', code_reply: '0', id_reply: '11501',
      }],
    },
  });
});

test('directional zones appear as zone-orig / zone-reply (inserted fixture)', async () => {
  const r = await api('read', '{"action":"conntrack","protocol":"tcp","state":"FIN_WAIT"}', ['--file', fixture('inserted/proc_nf_conntrack.txt')]);
  assert.deepStrictEqual(r.body.connections.map((c: any) => [c.sport, c.zone, c['zone-orig'], c['zone-reply']]), [['33013', '', '3', undefined]]);
  const w = await api('read', '{"action":"conntrack","protocol":"tcp","state":"CLOSE_WAIT"}', ['--file', fixture('inserted/proc_nf_conntrack.txt')]);
  assert.deepStrictEqual(w.body.connections.map((c: any) => [c.sport, c.zone, c['zone-orig'], c['zone-reply']]), [['33014', '', undefined, '4']]);
});

for (const file of [NAT_PROC, NAT_L]) {
  test(`{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","expand":0} on ${file.split('/').slice(-2).join('/')}`, async () => {
    const r = await api('read', '{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","expand":0}', ['--file', file]);
    assert.equal(r.code, 0);
    assert.deepStrictEqual(Object.keys(r.body), ['connections']);
    for (const c of r.body.connections) assertShape(c, false);
    // every tcp ESTABLISHED entry of the router, most bytes first
    assert.deepStrictEqual(
      r.body.connections.map((c: any) => [c.src, c.sport, c.dst, c.dport, c.state, c.bytes_total, c.nat]),
      [
        ['10.1.0.2', '44348', '10.2.0.2', '7006', 'ESTABLISHED', 2357, 1],
        ['fd00:a1::2', '50240', 'fd00:a2::2', '7006', 'ESTABLISHED', 2191, 1],
        ['10.1.0.2', '59398', '10.1.0.1', '2222', 'ESTABLISHED', 2129, 1],
        ['10.1.0.2', '37982', '10.1.0.1', '21', 'ESTABLISHED', 2044, 1],
        ['10.1.0.2', '54352', '10.1.0.1', '2200', 'ESTABLISHED', 456, 0],
      ],
    );
    assert.deepStrictEqual(r.body.connections[0].mark, '0xffffffff');
  });
}

test('{"action":"conntrack",…,"limit":25} keeps the first 25 after sorting; limit 2 the top 2', async () => {
  const all = await api('read', '{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","limit":25}', ['--file', NAT_PROC]);
  assert.equal(all.body.connections.length, 5);
  const two = await api('read', '{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","limit":2}', ['--file', NAT_PROC]);
  assert.deepStrictEqual(two.body.connections, all.body.connections.slice(0, 2));
});

test('no protocol and no state mean the whole table, sorted by bytes_total descending', async () => {
  const r = await api('read', '{"action":"conntrack","protocol":"","state":"","limit":0}', ['--file', NAT_PROC]);
  assert.equal(r.body.connections.length, 34);
  const totals = r.body.connections.map((c: any) => c.bytes_total);
  assert.deepStrictEqual(totals, [...totals].sort((a: number, b: number) => b - a));
  assert.deepStrictEqual(totals.slice(0, 3), [66983, 21123, 21123]);
  // state for every protocol that has one, icmp without ports
  const icmp = r.body.connections.find((c: any) => c.protocol === 'icmp');
  assert.deepStrictEqual([icmp.state, icmp.sport, icmp.dport], ['', '', '']);
});

test('sctp states are read whatever the filter (proto-zoo), so a state filter alone finds them', async () => {
  const r = await api('read', '{"action":"conntrack","state":"COOKIE_WAIT"}', ['--file', fixture('proto-zoo/proc_nf_conntrack.txt')]);
  assert.deepStrictEqual(r.body.connections.map((c: any) => [c.protocol, c.state]), [['sctp', 'COOKIE_WAIT']]);
});

test('without accounting the order is timeout descending', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-api-'));
  const file = join(dir, 'noacct.txt');
  writeFileSync(file, [
    'ipv4     2 tcp      6 100 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=1 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 300 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=2 dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=2 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=3 dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=3 [OFFLOAD] mark=0 zone=0 use=2',
    'ipv4     2 udp      17 200 src=10.0.0.1 dst=10.0.0.3 sport=4 dport=53 src=10.0.0.3 dst=10.0.0.1 sport=53 dport=4 mark=0 zone=0 use=2',
    '',
  ].join('\n'));
  const r = await api('read', '{"action":"conntrack"}', ['--file', file]);
  assert.deepStrictEqual(r.body.connections.map((c: any) => [c.sport, c.timeout, c.status]), [
    ['2', '300', 'ASSURED'], ['4', '200', ''], ['1', '100', 'ASSURED'], ['3', '', 'OFFLOAD'],
  ]);
});

test('"expand":1 adds src_zone/dst_zone from --zones; --mark-map fills provider, ndpi, prio', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-api-'));
  writeFileSync(join(dir, 'zones.txt'), 'green 10.1.0.0/24 fd00:a1::/64\nblue 10.2.0.0/24 fd00:a2::/64\nfw 10.1.0.1 10.2.0.1\n');
  writeFileSync(join(dir, 'marks.json'), JSON.stringify({
    provider: { mask: '0xffff0000', names: { 65535: 'all-ones' } },
    ndpi: { mask: '0xff00', names: { 92: 'HTTP' } },
    prio: { mask: '0xff' },
  }));
  const r = await api('read', '{"action":"conntrack","protocol":"tcp","limit":3,"expand":1}',
    ['--file', NAT_PROC, '--zones', join(dir, 'zones.txt'), '--mark-map', join(dir, 'marks.json')]);
  for (const c of r.body.connections) assertShape(c, true);
  assert.deepStrictEqual(r.body.connections.map((c: any) => [c.src_zone, c.dst_zone, c.mark, c.provider, c.ndpi, c.prio]), [
    ['green', 'blue', '0x5c00', '', 'HTTP', ''],
    ['green', 'blue', '0x0', '', '', ''],
    ['green', 'fw', '0x5c00', '', 'HTTP', ''],
  ]);
  const all = await api('read', '{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","limit":1,"expand":true}',
    ['--file', NAT_PROC, '--zones', join(dir, 'zones.txt'), '--mark-map', join(dir, 'marks.json')]);
  assert.deepStrictEqual([all.body.connections[0].provider, all.body.connections[0].ndpi, all.body.connections[0].prio], ['all-ones', '255', '255']);
});

async function withNetdata(answer: unknown, run: (url: string, seen: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen);
  } finally {
    server.close();
  }
}

test('{"action":"stats"} and {"action":"stats","time":900} answer the netdata series newest first', async () => {
  const netdata = { labels: ['time', 'connections'], data: [[1795510880, 30], [1795510882, 34], [1795510881, null], [1795510881, 33]] };
  await withNetdata(netdata, async (url, seen) => {
    const a = await api('read', '{"action":"stats"}', ['--netdata', url]);
    const b = await api('read', '{"action":"stats","time":900}', ['--netdata', url]);
    const c = await api('read', '{"action":"stats","time":60}', ['--netdata', url]);
    const expected = { labels: ['time', 'connections'], data: [[1795510882, 34], [1795510881, 33], [1795510880, 30]] };
    assert.deepStrictEqual([a, b, c].map((r) => [r.code, r.body]), [[0, expected], [0, expected], [0, expected]]);
    assert.deepStrictEqual(seen, [
      '/api/v1/data?chart=netfilter.conntrack_sockets&after=-900&format=json',
      '/api/v1/data?chart=netfilter.conntrack_sockets&after=-900&format=json',
      '/api/v1/data?chart=netfilter.conntrack_sockets&after=-60&format=json',
    ]);
  });
});

test('an unreachable netdata is a runtime error object, exit 1', async () => {
  const r = await api('read', '{"action":"stats"}', ['--netdata', 'http://127.0.0.1:9']);
  assert.equal(r.code, 1);
  assert.deepStrictEqual(Object.keys(r.body), ['type', 'message']);
  assert.equal(r.body.type, 'Error');
  assert.match(r.body.message, /^netdata http:\/\/127\.0\.0\.1:9: must be reachable, got /);
});

test('bad flags stay usage errors on stderr (exit 2): --netdata, --zones, --mark-map', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-api-'));
  writeFileSync(join(dir, 'bad-zones.txt'), 'lan 10.0.0.0/99\n');
  const cases: Array<[string[], RegExp]> = [
    [['--netdata', 'ftp://x'], /--netdata: must be an http\(s\) URL/],
    [['--zones', join(dir, 'bad-zones.txt')], /--zones .*bad-zones\.txt line 1/],
    [['--mark-map', join(dir, 'missing.json')], /^ctflow: cannot read .*missing\.json: no such file\n$/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(['api', 'read', ...args], { stdin: '{"action":"protocols"}' });
    assert.equal(r.stdout, '');
    assert.match(r.stderr, re);
    assert.equal(r.code, args[0] === '--mark-map' ? 1 : 2);
  }
});

/** A stand-in conntrack that logs its argv and answers like conntrack v1.4.7. */
function fakeConntrack(): { bin: string; log: string; table: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-api-bin-'));
  const bin = join(dir, 'conntrack');
  const log = join(dir, 'calls.log');
  const table = join(dir, 'table.txt');
  writeFileSync(bin, `#!/bin/sh
echo "$*" >> '${log}'
case "$1" in
  -L) cat '${table}' ;;
  -F) echo "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied." >&2 ;;
  -D) echo "icmp     1 29 src=10.0.0.212 dst=1.2.3.4 type=8 code=0 id=9 src=1.2.3.4 dst=10.0.0.212 type=0 code=0 id=9 mark=0 use=1" ; echo "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted." >&2 ;;
esac
`);
  chmodSync(bin, 0o755);
  // the table the request is matched against: the documented example's hosts
  writeFileSync(table, [
    'ipv4     2 icmp     1 29 src=10.0.0.212 dst=1.2.3.4 type=8 code=0 id=9 src=1.2.3.4 dst=10.0.0.212 type=0 code=0 id=9 mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.212 dst=1.2.3.4 sport=46286 dport=389 src=1.2.3.4 dst=10.0.0.212 sport=389 dport=46286 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.212 dst=1.2.3.4 sport=46287 dport=389 src=1.2.3.4 dst=10.0.0.212 sport=389 dport=46287 [ASSURED] mark=0 zone=0 use=2',
    '',
  ].join('\n'));
  return { bin, log, table };
}

test('{"action":"flush"} runs conntrack -F and reports how many entries the table held', async () => {
  const { bin, log, table } = fakeConntrack();
  const r = await api('delete', '{"action":"flush"}', ['--conntrack-bin', bin, '--file', table]);
  assert.deepStrictEqual([r.code, r.body], [0, { state: 'success', deleted: 3 }]);
  assert.deepStrictEqual(readFileSync(log, 'utf8'), '-F\n');
});

test('{"action":"connection","protocol":"icmp",…} deletes the exact tuple, ports ignored for icmp', async () => {
  const { bin, log, table } = fakeConntrack();
  const r = await api('delete', '{"action":"connection","protocol":"icmp","dport":389,"sport":46286,"src":"10.0.0.212","dst":"1.2.3.4"}', ['--conntrack-bin', bin, '--file', table]);
  assert.deepStrictEqual([r.code, r.body], [0, { state: 'success', deleted: 1 }]);
  assert.deepStrictEqual(readFileSync(log, 'utf8'), '-D -p icmp -s 10.0.0.212 -d 1.2.3.4\n');
  const tcp = await api('delete', '{"action":"connection","protocol":"tcp","dport":"389","sport":46286,"src":"10.0.0.212","dst":"1.2.3.4"}', ['--conntrack-bin', bin, '--file', table]);
  assert.deepStrictEqual([tcp.code, tcp.body], [0, { state: 'success', deleted: 1 }]);
  assert.deepStrictEqual(readFileSync(log, 'utf8').split('\n')[1], '-D -p tcp -s 10.0.0.212 -d 1.2.3.4 --sport 46286 --dport 389');
});

test('a connection the table does not hold deletes nothing and runs nothing', async () => {
  const { bin, log, table } = fakeConntrack();
  const r = await api('delete', '{"action":"connection","protocol":"tcp","dport":389,"sport":1,"src":"10.0.0.212","dst":"1.2.3.4"}', ['--conntrack-bin', bin, '--file', table]);
  assert.deepStrictEqual([r.code, r.body], [0, { state: 'success', deleted: 0 }]);
  assert.equal(existsSync(log), false);
});

test('--exec reads the table from conntrack -L for read and for delete matching', async () => {
  const { bin, log } = fakeConntrack();
  const r = await api('read', '{"action":"conntrack","protocol":"tcp","limit":1}', ['--exec', '--conntrack-bin', bin]);
  assert.deepStrictEqual(r.body.connections.map((c: any) => [c.src, c.sport, c.dst, c.dport, c.state]), [['10.0.0.212', '46286', '1.2.3.4', '389', 'ESTABLISHED']]);
  const d = await api('delete', '{"action":"connection","protocol":"tcp","sport":46287,"dport":389,"src":"10.0.0.212","dst":"1.2.3.4"}', ['--exec', '--conntrack-bin', bin]);
  assert.deepStrictEqual(d.body, { state: 'success', deleted: 1 });
  assert.deepStrictEqual(readFileSync(log, 'utf8').split('\n').map((l) => l.split(' ')[0]), ['-L', '-L', '-D', '']);
});

test('an unreadable table is a runtime error object; unparseable lines are counted on stderr only', async () => {
  const missing = await api('read', '{"action":"conntrack"}', ['--file', '/nonexistent/table']);
  assert.deepStrictEqual([missing.code, missing.body], [1, { type: 'Error', message: 'cannot read /nonexistent/table: no such file' }]);
  const junk = await api('read', '{"action":"conntrack"}', ['--file', fixture('nat-router/capture_log.tsv')]);
  assert.deepStrictEqual([junk.code, junk.body], [0, { connections: [] }]);
  assert.match(junk.stderr, /^ctflow: skipped \d+ unparseable lines \(first at line 1\)\n$/);
});

test('a failing conntrack is a runtime error object, exit 1', async () => {
  const { table } = fakeConntrack();
  const r = await api('delete', '{"action":"flush"}', ['--conntrack-bin', '/nonexistent/conntrack', '--file', table]);
  assert.equal(r.code, 1);
  assert.equal(r.body.type, 'Error');
  assert.match(r.body.message, /^cannot run \/nonexistent\/conntrack: not found; install conntrack-tools/);
});

test('every invalid request answers the NotValid object on stdout, exit 1, and runs nothing', async () => {
  const { bin, log } = fakeConntrack();
  for (const [endpoint, text, attribute] of INVALID_REQUESTS) {
    // both endpoints would read the table through the fake (--exec): the log proves nothing ran
    const args = ['--exec', '--conntrack-bin', bin];
    const r = await runCli(['api', endpoint, ...args], { stdin: text });
    assert.deepStrictEqual(
      [r.code, JSON.parse(r.stdout), r.stderr],
      [1, { type: 'NotValid', message: 'validation_failed', attributes: [attribute] }, ''],
      text,
    );
  }
  assert.equal(existsSync(log), false, 'conntrack was never run');
});
