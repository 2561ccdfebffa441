import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileZones, interfaceNetworks, loadZones, parseCidr, parseZonesText, type InterfaceList } from '../../src/host/zones.js';

const FILE = `
# site networks
lan   10.0.0.0/8 fd00::/16
dmz   10.1.0.0/16      # inside lan: longer prefix wins
web   10.1.2.3 fd00:a2::2
guest 192.168.0.0/24
lan6  fd00:a1::/64
`;

test('the text format lists NAME CIDR… per line, comments and blank lines ignored', () => {
  assert.deepStrictEqual(parseZonesText(FILE, 'z.txt'), [
    { name: 'lan', cidr: '10.0.0.0/8' },
    { name: 'lan', cidr: 'fd00::/16' },
    { name: 'dmz', cidr: '10.1.0.0/16' },
    { name: 'web', cidr: '10.1.2.3' },
    { name: 'web', cidr: 'fd00:a2::2' },
    { name: 'guest', cidr: '192.168.0.0/24' },
    { name: 'lan6', cidr: 'fd00:a1::/64' },
  ]);
});

test('the longest matching prefix names an address, IPv4 and IPv6 alike', () => {
  const zones = compileZones(parseZonesText(FILE, 'z.txt'));
  const cases: Array<[string, string]> = [
    ['10.9.9.9', 'lan'],
    ['10.1.9.9', 'dmz'],
    ['10.1.2.3', 'web'],
    ['10.1.2.4', 'dmz'],
    ['192.168.0.77', 'guest'],
    ['192.168.1.1', 'external'],
    ['8.8.8.8', 'external'],
    ['fd00:a1::2', 'lan6'],
    ['fd00:a2::2', 'web'],
    ['fd00:a2::3', 'lan'],
    ['fd01::1', 'external'],
    ['not-an-address', 'external'],
  ];
  assert.deepStrictEqual(cases.map(([a]) => [a, zones.zoneOf(a)]), cases);
  // memoised answers are the same answers
  assert.deepStrictEqual(cases.map(([a]) => [a, zones.zoneOf(a)]), cases);
});

test('the order in the file does not matter, only the prefix length', () => {
  const zones = compileZones([
    { name: 'host', cidr: '10.1.2.3/32' },
    { name: 'small', cidr: '10.1.2.0/24' },
    { name: 'big', cidr: '10.0.0.0/8' },
    { name: 'all6', cidr: '::/0' },
    { name: 'net6', cidr: '2001:db8::/32' },
    { name: 'odd6', cidr: '2001:db8:8000::/33' },
  ]);
  assert.deepStrictEqual(
    ['10.1.2.3', '10.1.2.9', '10.200.0.1', '11.0.0.1', '2001:db8::1', '2001:db8:8000::1', '2001:db8:7fff::1', '::1'].map((a) => zones.zoneOf(a)),
    ['host', 'small', 'big', 'external', 'net6', 'odd6', 'net6', 'all6'],
  );
});

test('JSON zones files are accepted: {"NAME": ["CIDR", …]} or one CIDR string', () => {
  const nets = parseZonesText('{"lan": ["10.0.0.0/8", "fd00::/8"], "web": "10.1.2.3"}', 'z.json');
  assert.deepStrictEqual(nets, [
    { name: 'lan', cidr: '10.0.0.0/8' },
    { name: 'lan', cidr: 'fd00::/8' },
    { name: 'web', cidr: '10.1.2.3' },
  ]);
  assert.equal(compileZones(nets).zoneOf('10.1.2.3'), 'web');
});

test('bad zones files are usage errors naming the file, line and value', () => {
  const bad: Array<[string, RegExp]> = [
    ['lan 10.0.0.0/33', /z\.txt line 1: expected an IPv4 or IPv6 address or CIDR, got "10\.0\.0\.0\/33"/],
    ['\n\nlan', /z\.txt line 3: expected NAME CIDR \[CIDR…\], got "lan"/],
    ['lan 10.0.0.0/8 fd00::zz/64', /line 1: .*got "fd00::zz\/64"/],
    ['l$n 10.0.0.0/8', /line 1: a zone name is 1-64 letters/],
    ['{"lan": 5}', /zone lan must list IPv4 or IPv6 CIDRs, got 5/],
    ['{"lan": ["10.0.0.0/8",', /JSON must parse/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseZonesText(text, 'z.txt'), (err: Error & { exitCode?: number }) => re.test(err.message) && err.exitCode === 2, text);
  }
});

test('parseCidr masks the host bits and rejects what is not a network', () => {
  assert.deepStrictEqual(parseCidr('10.1.2.3/16'), { v4: { net: 0x0a010000, mask: 0xffff0000, len: 16, name: '' } });
  assert.deepStrictEqual(parseCidr('fd00:a1::9/64'), { v6: { net: [0xfd00, 0xa1, 0, 0, 0, 0, 0, 0], len: 64, name: '' } });
  assert.deepStrictEqual(['10.0.0.0/', '10.0.0/8', 'fd00::/129', 'x'].map(parseCidr), [undefined, undefined, undefined, undefined]);
});

const IFACES: InterfaceList = {
  lo: [
    { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
    { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 },
  ],
  eth0: [
    { address: '192.168.5.1', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.5.1/24' },
    { address: 'fd00:5::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00:5::1/64', scopeid: 0 },
  ],
  wan0: [
    { address: '203.0.113.2', netmask: '255.255.255.252', family: 'IPv4', mac: '02:00:00:00:00:02', internal: false, cidr: '203.0.113.2/30' },
  ],
};

test('without a file, interface subnets are named after the interface and own addresses are local', () => {
  const zones = compileZones(interfaceNetworks(IFACES));
  const cases: Array<[string, string]> = [
    ['192.168.5.1', 'local'],
    ['192.168.5.77', 'eth0'],
    ['fd00:5::1', 'local'],
    ['fd00:5::abcd', 'eth0'],
    ['203.0.113.1', 'wan0'],
    ['203.0.113.2', 'local'],
    ['203.0.113.5', 'external'],
    ['127.0.0.1', 'local'],
    ['127.0.0.2', 'lo'],
    ['::1', 'local'],
    ['1.1.1.1', 'external'],
    ['2001:db8::1', 'external'],
  ];
  assert.deepStrictEqual(cases.map(([a]) => [a, zones.zoneOf(a)]), cases);
});

test('loadZones reads a file, or falls back to the interfaces it is given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-zones-'));
  const file = join(dir, 'zones.txt');
  writeFileSync(file, 'lan 10.0.0.0/8\n');
  assert.equal((await loadZones(file)).zoneOf('10.2.3.4'), 'lan');
  assert.equal((await loadZones(undefined, IFACES)).zoneOf('192.168.5.9'), 'eth0');
  await assert.rejects(loadZones(join(dir, 'missing.txt')), /CtflowError: ctflow: cannot read .*missing\.txt: no such file$/);
});
