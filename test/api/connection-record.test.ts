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
