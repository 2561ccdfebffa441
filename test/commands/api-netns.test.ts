// api read/delete for real, as root, in a private network namespace filled with `conntrack -I`
// entries and one loopback TCP exchange. Never the host's table; the namespace is deleted even on failure.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';
import { runCli } from '../helpers/cli.js';

const skip = netnsUnavailable(true, true);

const ENTRIES: string[][] = [
  ['-p', 'tcp', '-s', '10.9.1.5', '-d', '10.9.2.7', '--sport', '40000', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'ASSURED', '-t', '5000', '-m', '23552'],
  ['-p', 'tcp', '-s', '10.9.1.5', '-d', '10.9.2.7', '--sport', '40003', '--dport', '443', '--state', 'TIME_WAIT', '-t', '100'],
  ['-p', 'udp', '-s', '10.9.1.5', '-d', '10.9.2.7', '--sport', '40001', '--dport', '53', '-t', '4000'],
  ['-p', 'icmp', '-s', '10.9.1.5', '-d', '10.9.2.7', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '77', '-t', '3000'],
  ['-p', 'udp', '-s', '10.9.1.5', '-d', '10.9.2.9', '--sport', '41000', '--dport', '514', '--orig-zone', '3', '-t', '3500'],
  ['-p', 'tcp', '-s', 'fd00:9:1::5', '-d', 'fd00:9:2::7', '--sport', '40002', '--dport', '22', '--state', 'ESTABLISHED', '-t', '6000'],
  ['-p', 'sctp', '-s', '10.9.1.5', '-d', '10.9.2.8', '--sport', '5000', '--dport', '2905', '--state', 'ESTABLISHED', '--orig-vtag', '1', '--reply-vtag', '2', '-t', '2000'],
];

const LOOPBACK_TCP = `
const net = require('node:net');
const server = net.createServer((s) => { s.on('data', (d) => s.end(d)); });
server.listen(7777, '127.0.0.1', () => {
  const c = net.connect(7777, '127.0.0.1', () => c.write('hello conntrack'));
  c.on('data', () => c.end());
  c.on('close', () => server.close());
});`;

function fill(ns: string): void {
  enableConntrack(ns); // ct rules register conntrack's hooks, so the loopback exchange gets an entry
  for (const e of ENTRIES) inNetns(ns, 'conntrack', ['-I', ...e]);
  // one real TCP exchange on loopback, so one entry carries counters (node: no ping needed)
  inNetns(ns, process.execPath, ['-e', LOOPBACK_TCP]);
}

/** `run` in a fresh namespace filled by fill(); the namespace is deleted even when `run` fails. */
async function inFilledNetns(tag: string, run: (ns: string) => Promise<void>): Promise<void> {
  const ns = createNetns(tag);
  try {
    fill(ns);
    await run(ns);
  } finally {
    deleteNetns(ns);
  }
}

/** list --json's object → the API's flat record, written independently of src/api. */
function reshape(j: any): Record<string, unknown> {
  const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
  const o = j.original;
  const r = j.reply;
  const icmp = o.icmp_type === null ? {} : {
    type: s(o.icmp_type), code: s(o.icmp_code), id: s(o.icmp_id), type_reply: s(r.icmp_type), code_reply: s(r.icmp_code), id_reply: s(r.icmp_id),
  };
  const zones = { ...(o.zone === null ? {} : { 'zone-orig': s(o.zone) }), ...(r.zone === null ? {} : { 'zone-reply': s(r.zone) }) };
  return {
    layer: j.family, protocol: j.protocol, timeout: s(j.timeout), state: s(j.state),
    src: j.original.src, dst: j.original.dst, sport: s(j.original.sport), dport: s(j.original.dport),
    packets: s(j.original.packets), bytes: s(j.original.bytes),
    src_reply: j.reply.src, dst_reply: j.reply.dst, sport_reply: s(j.reply.sport), dport_reply: s(j.reply.dport),
    packets_reply: s(j.reply.packets), bytes_reply: s(j.reply.bytes),
    status: [j.assured && 'ASSURED', j.unreplied && 'UNREPLIED', j.offload && 'OFFLOAD', j.hw_offload && 'HW_OFFLOAD'].filter(Boolean).join(','),
    mark: `0x${(j.mark as number).toString(16)}`, zone: o.zone === null && r.zone === null ? s(j.zone) : '', use: s(j.use), 'delta-time': s(j.delta_time),
    bytes_total: j.bytes_total ?? 0, packets_total: j.packets_total ?? 0, nat: j.nat === null ? 0 : 1,
    provider: '', ndpi: '', prio: '', ...icmp, ...zones,
  };
}

/** `request` as an object, or as the exact text to send (JSON.stringify cannot repeat a key). */
async function apiIn(ns: string, endpoint: 'read' | 'delete', request: unknown): Promise<{ code: number | null; body: any }> {
  const r = await runCli(['api', endpoint], { netns: ns, stdin: typeof request === 'string' ? request : JSON.stringify(request) });
  assert.equal(r.stderr, '');
  return { code: r.code, body: JSON.parse(r.stdout) };
}

/** The table's lines without their ticking timeout column, so two reads compare by entry. */
async function tableLines(ns: string): Promise<string[]> {
  return inNetns(ns, 'cat', ['/proc/net/nf_conntrack']).split('\n').filter((l) => l !== '')
    .map((l) => l.replace(/^(\S+\s+\S+\s+\S+\s+\S+\s+)\d+ /, '$1')).sort();
}

test('api read conntrack equals list --json re-shaped (live table in a namespace)', { skip }, () => inFilledNetns('api-read', async (ns) => {
  // the two reads run one after the other, so timeouts (and delta-time) may have ticked between
  // them: everything else must be equal, and no timeout may have grown
  const api = await apiIn(ns, 'read', { action: 'conntrack' });
  const list = await runCli(['list', '--json'], { netns: ns });
  assert.deepStrictEqual([api.code, list.code], [0, 0]);
  const apiRows = api.body.connections as Array<Record<string, unknown>>;
  const listRows = (JSON.parse(list.stdout) as unknown[]).map(reshape);
  const still = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, timeout: '', 'delta-time': '' });
  assert.deepStrictEqual(apiRows.map(still), listRows.map(still));
  assert.deepStrictEqual(apiRows.map((r, i) => Number(listRows[i]!.timeout) <= Number(r.timeout)), apiRows.map(() => true));
  assert.equal(apiRows.length, ENTRIES.length + 1);
  // the filtered, limited request is the same list filtered and cut
  const est = await apiIn(ns, 'read', { action: 'conntrack', state: 'ESTABLISHED', limit: 2 });
  assert.deepStrictEqual(est.body.connections.map((c: any) => [c.protocol, c.src, c.state]), [
    ['tcp', 'fd00:9:1::5', 'ESTABLISHED'],
    ['tcp', '10.9.1.5', 'ESTABLISHED'],
  ]);
}));

test('api delete connection removes exactly that entry; flush empties the table', { skip }, () => inFilledNetns('api-delete', async (ns) => {
  const before = await tableLines(ns);
  const gone = await apiIn(ns, 'delete', { action: 'connection', protocol: 'tcp', src: '10.9.1.5', dst: '10.9.2.7', sport: 40000, dport: 443 });
  assert.deepStrictEqual([gone.code, gone.body], [0, { state: 'success', deleted: 1 }]);
  const after = await tableLines(ns);
  assert.deepStrictEqual(before.filter((l) => !after.includes(l)).map((l) => /sport=(\d+)/.exec(l)?.[1]), ['40000']);
  assert.equal(after.length, before.length - 1);

  const v6 = await apiIn(ns, 'delete', { action: 'connection', protocol: 'tcp', src: 'fd00:9:1::5', dst: 'fd00:9:2::7', sport: '40002', dport: '22' });
  assert.deepStrictEqual(v6.body, { state: 'success', deleted: 1 });
  assert.equal((await tableLines(ns)).some((l) => l.includes('sport=40002')), false);

  const again = await apiIn(ns, 'delete', { action: 'connection', protocol: 'tcp', src: '10.9.1.5', dst: '10.9.2.7', sport: 40000, dport: 443 });
  assert.deepStrictEqual([again.code, again.body], [0, { state: 'success', deleted: 0 }]);

  const invalid = await apiIn(ns, 'delete', { action: 'connection', protocol: 'tcp', src: '10.9.1.5', dst: '10.9.2.7', dport: 443 });
  assert.deepStrictEqual([invalid.code, invalid.body.type], [1, 'NotValid']);
  const left = await tableLines(ns);
  assert.equal(left.length, before.length - 2);

  const flushed = await apiIn(ns, 'delete', { action: 'flush' });
  assert.deepStrictEqual([flushed.code, flushed.body], [0, { state: 'success', deleted: left.length }]);
  assert.deepStrictEqual(await tableLines(ns), []);
}));

test('api read: a live icmp entry carries type/code/id and _reply twins, a zone-orig entry its zone', { skip }, () => inFilledNetns('api-icmp', async (ns) => {
  const icmp = await apiIn(ns, 'read', { action: 'conntrack', protocol: 'icmp', state: '', limit: '25' });
  assert.deepStrictEqual(icmp.body.connections.map((c: any) => ({ ...c, timeout: '' })), [{
    layer: 'ipv4', protocol: 'icmp', timeout: '', state: '', src: '10.9.1.5', dst: '10.9.2.7', sport: '', dport: '',
    packets: '0', bytes: '0', src_reply: '10.9.2.7', dst_reply: '10.9.1.5', sport_reply: '', dport_reply: '',
    packets_reply: '0', bytes_reply: '0', status: 'UNREPLIED', mark: '0x0', zone: '0', use: '2', 'delta-time': '',
    bytes_total: 0, packets_total: 0, nat: 0, provider: '', ndpi: '', prio: '',
    type: '8', code: '0', id: '77', type_reply: '0', code_reply: '0', id_reply: '77',
  }]);
  const zoned = await apiIn(ns, 'read', { action: 'conntrack', protocol: 'udp', limit: '' });
  assert.deepStrictEqual(zoned.body.connections.map((c: any) => [c.dport, c.zone, c['zone-orig'], c['zone-reply']]), [
    ['53', '0', undefined, undefined],
    ['514', '', '3', undefined],
  ]);
}));

test('api delete: a flush request with a repeated action key is refused and the table untouched', { skip }, () => inFilledNetns('api-dupkey', async (ns) => {
  const before = await tableLines(ns);
  assert.equal(before.length, ENTRIES.length + 1);
  for (const text of ['{"action":"connection","action":"flush"}', '{"action":"connection","\\u0061ction":"flush"}']) {
    const refused = await apiIn(ns, 'delete', text);
    assert.deepStrictEqual([refused.code, refused.body], [1, {
      type: 'NotValid', message: 'validation_failed',
      attributes: [{ parameter: 'action', value: '["connection","flush"]', error: 'duplicate_parameter' }],
    }]);
  }
  assert.deepStrictEqual(await tableLines(ns), before);
}));
