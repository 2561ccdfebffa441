import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { connToApi } from '../../src/api/connection-record.js';
import { parseMarkMap } from '../../src/host/mark-map.js';
import { compileZones } from '../../src/host/zones.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { fixture } from '../helpers/cli.js';

const line = (file: string, match: string): string => {
  const found = readFileSync(fixture(file), 'utf8').split('\n').find((l) => l.includes(match));
  assert.ok(found, `${file} has a line with ${match}`);
  return found;
};

test('a NAT’ed TCP entry becomes the flat record: strings per direction, numbers for totals and nat, hex mark', () => {
  const c = parseConnLine(line('nat-router/proc_nf_conntrack.txt', 'sport=38658 dport=80'))!;
  assert.deepStrictEqual(connToApi(c), {
    layer: 'ipv4', protocol: 'tcp', timeout: c.timeout === undefined ? '' : String(c.timeout), state: 'TIME_WAIT',
    src: '10.1.0.2', dst: '10.2.0.2', sport: '38658', dport: '80', packets: '11', bytes: '664',
    src_reply: '10.2.0.2', dst_reply: '10.2.0.1', sport_reply: '80', dport_reply: '38658', packets_reply: '11', bytes_reply: '66319',
    status: 'ASSURED', mark: '0x5c00', zone: '0', use: '2', 'delta-time': String(c.deltaTime),
    bytes_total: 66983, packets_total: 22, nat: 1, provider: '', ndpi: '', prio: '',
  });
});

test('icmp has empty ports, an entry without NAT has nat 0, zones and mark fields fill in when given', () => {
  const c = parseConnLine(line('nat-router/proc_nf_conntrack.txt', 'type=8 code=0 id=11505'))!;
  const zones = compileZones([{ name: 'lan', cidr: '10.1.0.0/24' }, { name: 'fw', cidr: '10.1.0.1' }]);
  const markMap = parseMarkMap('{"provider":{"mask":"0xffff0000"},"ndpi":{"mask":"0xff00"},"prio":{"mask":"0xff","names":{"0":"none"}}}', 'm');
  const r = connToApi(c, { zones, markMap });
  assert.deepStrictEqual(
    [r.protocol, r.state, r.sport, r.dport, r.sport_reply, r.dport_reply, r.nat, r.status, r.mark, r.provider, r.ndpi, r.prio, r.src_zone, r.dst_zone],
    ['icmp', '', '', '', '', '', 0, '', '0x0', '', '', 'none', 'lan', 'fw'],
  );
});

test('an entry without counters has empty per-direction counters and zero totals', () => {
  const c = parseConnLine('ipv4     2 tcp      6 300 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=1000 [ASSURED] mark=0 zone=0 use=2')!;
  const r = connToApi(c);
  assert.deepStrictEqual([r.packets, r.bytes, r.packets_reply, r.bytes_reply, r.bytes_total, r.packets_total, r.timeout, r['delta-time']], ['', '', '', '', 0, 0, '300', '']);
});

test('an offloaded entry (no timeout column) keeps every field in place', () => {
  const c = parseConnLine('ipv4     2 tcp      6 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=443 packets=5 bytes=500 src=10.0.0.2 dst=10.0.0.1 sport=443 dport=1000 packets=4 bytes=4000 [OFFLOAD] mark=7 zone=0 use=2')!;
  const r = connToApi(c);
  assert.deepStrictEqual(
    [r.timeout, r.state, r.src, r.dst, r.sport, r.dport, r.bytes, r.bytes_reply, r.status, r.mark, r.bytes_total],
    ['', 'ESTABLISHED', '10.0.0.1', '10.0.0.2', '1000', '443', '500', '4000', 'OFFLOAD', '0x7', 4500],
  );
});

test('sctp and dccp states are read, not only tcp', () => {
  const sctp = parseConnLine(line('proto-zoo/proc_nf_conntrack.txt', 'COOKIE_WAIT'))!;
  assert.deepStrictEqual([connToApi(sctp).protocol, connToApi(sctp).state], ['sctp', 'COOKIE_WAIT']);
});

// the keys only some entries have, named as NethServer's script named them (line key, `_reply` twin)
const BASE_ICMP = {
  layer: 'ipv4', protocol: 'icmp', timeout: '29', state: '', src: '10.1.0.2', dst: '10.1.0.1', sport: '', dport: '',
  packets: '1', bytes: '84', src_reply: '10.1.0.1', dst_reply: '10.1.0.2', sport_reply: '', dport_reply: '',
  packets_reply: '1', bytes_reply: '84', status: '', mark: '0x0', zone: '0', use: '2', 'delta-time': '0',
  bytes_total: 168, packets_total: 2, nat: 0, provider: '', ndpi: '', prio: '',
};

test('icmp entries carry type, code, id and their _reply twins, as strings', () => {
  const c = parseConnLine(line('nat-router/proc_nf_conntrack.txt', 'type=8 code=0 id=11505'))!;
  assert.deepStrictEqual(connToApi(c), { ...BASE_ICMP, type: '8', code: '0', id: '11505', type_reply: '0', code_reply: '0', id_reply: '11505' });
  const v6 = connToApi(parseConnLine(line('proto-zoo/proc_nf_conntrack.txt', 'icmpv6'))!);
  assert.deepStrictEqual([v6.protocol, v6.type, v6.code, v6.id, v6.type_reply, v6.code_reply, v6.id_reply], ['icmpv6', '128', '0', '12284', '129', '0', '12284']);
});

test('gre entries carry srckey/dstkey and their _reply twins in hex, as the kernel prints them', () => {
  const r = connToApi(parseConnLine(line('proto-zoo/proc_nf_conntrack.txt', 'src=10.4.0.1 dst=10.4.0.2 srckey=0x0 dstkey=0x4a1'))!);
  assert.deepStrictEqual(
    [r.protocol, r.srckey, r.dstkey, r.srckey_reply, r.dstkey_reply, r.sport, r.status, r.type],
    ['gre', '0x0', '0x4a1', '0x4a1', '0x0', '', 'UNREPLIED', undefined],
  );
});

test('a directional zone appears as zone-orig or zone-reply, and zone is then ""', () => {
  const orig = connToApi(parseConnLine(line('inserted/proc_nf_conntrack.txt', 'zone-orig=3'))!);
  assert.deepStrictEqual(orig, {
    layer: 'ipv4', protocol: 'tcp', timeout: '119', state: 'FIN_WAIT', src: '192.0.2.10', dst: '192.0.2.11', sport: '33013', dport: '443',
    packets: '', bytes: '', src_reply: '192.0.2.11', dst_reply: '192.0.2.10', sport_reply: '443', dport_reply: '33013',
    packets_reply: '', bytes_reply: '', status: 'ASSURED', mark: '0x0', zone: '', use: '2', 'delta-time': '',
    bytes_total: 0, packets_total: 0, nat: 0, provider: '', ndpi: '', prio: '', 'zone-orig': '3',
  });
  const reply = connToApi(parseConnLine(line('inserted/proc_nf_conntrack.txt', 'zone-reply=4'))!);
  assert.deepStrictEqual([reply.zone, reply['zone-orig'], reply['zone-reply']], ['', undefined, '4']);
});

test('a security context is carried as secctx (hand-written: no SELinux on the capture host)', () => {
  const r = connToApi(parseConnLine('ipv4     2 udp      17 20 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 mark=0 secctx=system_u:object_r:unlabeled_t:s0 zone=0 use=2')!);
  assert.deepStrictEqual([r.secctx, r.zone, r.sport], ['system_u:object_r:unlabeled_t:s0', '0', '5000']);
});
