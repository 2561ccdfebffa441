import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  batchInvocation, deleteInvocation, deleteLine, filterArgs, flushInvocation, formatInvocation, formatMark,
  markAfterUpdate, markUpdateRepeats, updatable, updateFilterProblem, updateInvocation, updateLine,
} from '../../src/kernel/conntrack-invocation.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import type { Conn } from '../../src/model.js';

const conn = (line: string): Conn => {
  const c = parseConnLine(line);
  assert.ok(c, `fixture line parses: ${line}`);
  return c;
};

const TCP = conn('ipv4     2 tcp      6 9 CLOSE src=10.1.0.2 dst=10.2.0.2 sport=55332 dport=7008 packets=5 bytes=1268 src=10.2.0.2 dst=10.2.0.1 sport=7008 dport=55332 packets=3 bytes=3164 [ASSURED] mark=0 zone=0 delta-time=0 use=2');
const UDP_ZONE = conn('udp      17 29 src=10.0.0.1 dst=10.0.0.3 sport=1001 dport=53 [UNREPLIED] src=10.0.0.3 dst=10.0.0.1 sport=53 dport=1001 mark=0 zone=7 use=1');
const ICMP = conn('ipv4     2 icmp     1 29 src=10.1.0.2 dst=10.1.0.1 type=8 code=0 id=11505 packets=1 bytes=84 src=10.1.0.1 dst=10.1.0.2 type=0 code=0 id=11505 packets=1 bytes=84 mark=0 zone=0 delta-time=0 use=2');
const ICMP6 = conn('ipv6     10 icmpv6   58 29 src=2001:0db8:000a:0000:0000:0000:0000:0011 dst=2001:0db8:000a:0000:0000:0000:0000:0012 type=128 code=0 id=3010 [UNREPLIED] src=2001:0db8:000a:0000:0000:0000:0000:0012 dst=2001:0db8:000a:0000:0000:0000:0000:0011 type=129 code=0 id=3010 mark=0 zone=0 use=2');
const TCP6 = conn('tcp      6 3599 ESTABLISHED src=2001:db8::1 dst=2001:db8::2 sport=1000 dport=443 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 sport=443 dport=1000 mark=5 use=1');
const ORIG_ZONE = conn('tcp      6 3599 ESTABLISHED src=10.0.0.9 dst=10.0.0.2 sport=1001 dport=80 zone-orig=3 [UNREPLIED] src=10.0.0.2 dst=10.0.0.9 sport=80 dport=1001 mark=0 use=1');
const GRE = conn('gre      47 179 src=10.0.0.1 dst=10.0.0.2 srckey=0x1 dstkey=0xffff [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 srckey=0xffff dstkey=0x1 mark=0 use=1');
const ESP = conn('ipv4     2 unknown  50 599 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 mark=0 zone=0 use=2');

test('deletes an exact tcp connection with one argv', () => {
  assert.deepStrictEqual(deleteInvocation({ proto: 'tcp', src: '10.1.0.2', dst: '10.2.0.2', sport: 55332, dport: 7008 }), {
    command: 'conntrack',
    args: ['-D', '-p', 'tcp', '-s', '10.1.0.2', '-d', '10.2.0.2', '--sport', '55332', '--dport', '7008'],
  });
});

test('deletes icmp without ports, and icmp fields only when given', () => {
  assert.deepStrictEqual(deleteInvocation({ proto: 'icmp', src: '10.1.0.2', dst: '10.1.0.1' }).args, ['-D', '-p', 'icmp', '-s', '10.1.0.2', '-d', '10.1.0.1']);
  assert.deepStrictEqual(deleteInvocation({ proto: 'icmpv6', src: '2001:db8::1', dst: '2001:db8::2', icmpType: 128, icmpCode: 0, icmpId: 7 }, '/opt/ct').command, '/opt/ct');
  assert.deepStrictEqual(filterArgs({ proto: 'icmpv6', src: '2001:db8::1', dst: '2001:db8::2', icmpType: 128, icmpCode: 0, icmpId: 7 }, 'delete'),
    ['-p', 'icmpv6', '-s', '2001:db8::1', '-d', '2001:db8::2', '--icmpv6-type', '128', '--icmpv6-code', '0', '--icmpv6-id', '7']);
});

test('passes CIDR, reply addresses and ports, mark/mask, zone, status, state and family through', () => {
  assert.deepStrictEqual(filterArgs({
    family: 'ipv4', proto: 'tcp', src: '10.0.0.0/24', dst: '10.2.0.2', replySrc: '10.2.0.2', replyDst: '10.2.0.1',
    sport: 1, dport: 443, replyPortSrc: 443, replyPortDst: 1, state: 'ESTABLISHED', mark: { value: 5, mask: 0xff }, zone: 7, status: ['ASSURED'],
  }, 'delete'), [
    '-f', 'ipv4', '-p', 'tcp', '-s', '10.0.0.0/24', '-d', '10.2.0.2', '-r', '10.2.0.2', '-q', '10.2.0.1',
    '--sport', '1', '--dport', '443', '--reply-port-src', '443', '--reply-port-dst', '1', '--state', 'ESTABLISHED',
    '-m', '5/0xff', '-w', '7', '-u', 'ASSURED',
  ]);
  assert.deepStrictEqual(deleteInvocation({ src: '2001:db8::/48' }).args, ['-D', '-s', '2001:db8::/48']);
});

test('update sets the mark with -m and refuses filters -U reads as "set"', () => {
  assert.deepStrictEqual(updateInvocation({ proto: 'udp', src: '192.0.2.10', dport: 53 }, { value: 99, mask: undefined }), {
    command: 'conntrack', args: ['-U', '-p', 'udp', '-s', '192.0.2.10', '--dport', '53', '-m', '99'],
  });
  assert.deepStrictEqual(updateInvocation({ src: '10.0.0.0/8' }, { value: 0x10, mask: 0xf0 }).args, ['-U', '-s', '10.0.0.0/8', '-m', '16/0xf0']);
  assert.deepStrictEqual(
    [updateFilterProblem({ mark: { value: 1, mask: 1 } }), updateFilterProblem({ status: ['ASSURED'] }), updateFilterProblem({ zone: 1 }), updateFilterProblem({ proto: 'tcp', state: 'CLOSE' }), updateFilterProblem({ src: '10.0.0.1' }), updateFilterProblem({ family: 'ipv4', proto: 'udp', dport: 53 })],
    ['-m means "set" for conntrack -U', '-u means "set" for conntrack -U', 'conntrack -U does not accept -w', 'conntrack -U does not filter by --state', undefined, undefined],
  );
});

test('flush empties everything with -F, one family with -D -f (conntrack -F -f ipv6 empties both)', () => {
  assert.deepStrictEqual(flushInvocation(undefined), { command: 'conntrack', args: ['-F'] });
  assert.deepStrictEqual(flushInvocation('ipv6', '/x/conntrack'), { command: '/x/conntrack', args: ['-D', '-f', 'ipv6'] });
});

test('batch lines name each entry exactly: tuple and its own zone, never a mark filter', () => {
  assert.deepStrictEqual([TCP, UDP_ZONE, ICMP, ICMP6, TCP6, ORIG_ZONE, GRE, ESP].map(deleteLine), [
    '-D -p tcp -s 10.1.0.2 -d 10.2.0.2 --sport 55332 --dport 7008 -w 0',
    '-D -p udp -s 10.0.0.1 -d 10.0.0.3 --sport 1001 --dport 53 -w 7',
    '-D -p icmp -s 10.1.0.2 -d 10.1.0.1 --icmp-type 8 --icmp-code 0 --icmp-id 11505 -w 0',
    '-D -p icmpv6 -s 2001:db8:a::11 -d 2001:db8:a::12 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 3010 -w 0',
    '-D -p tcp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 443 -w 0',
    '-D -p tcp -s 10.0.0.9 -d 10.0.0.2 --sport 1001 --dport 80 --orig-zone 3',
    '-D -p gre -s 10.0.0.1 -d 10.0.0.2 --srckey 0x1 --dstkey 0xffff -w 0',
    '-D -p 50 -s 10.0.0.1 -d 10.0.0.2 -w 0',
  ]);
});

test('a batch is one conntrack -R process for all entries', () => {
  const inv = batchInvocation('delete', [TCP, TCP6]);
  assert.deepStrictEqual(inv, {
    command: 'conntrack', args: ['-R', '-'],
    batch: ['-D -p tcp -s 10.1.0.2 -d 10.2.0.2 --sport 55332 --dport 7008 -w 0', '-D -p tcp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 443 -w 0'],
  });
  assert.deepStrictEqual(formatInvocation(inv), ['conntrack -R - <<EOF', ...(inv.batch ?? []), 'EOF']);
  assert.deepStrictEqual(batchInvocation('update', [TCP6], { value: 7, mask: undefined }).batch, ['-U -p tcp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 443 -m 7']);
  assert.deepStrictEqual(updateLine(ICMP, { value: 1, mask: 0xff }), '-U -p icmp -s 10.1.0.2 -d 10.1.0.1 --icmp-type 8 --icmp-code 0 --icmp-id 11505 -m 1/0xff');
  assert.throws(() => batchInvocation('update', [TCP]), /needs a mark/);
});

test('computes the mark conntrack -U leaves and which entries it can reach', () => {
  assert.deepStrictEqual(
    [markAfterUpdate(5, { value: 9, mask: undefined }), markAfterUpdate(0x1234, { value: 0x10, mask: 0xff }), markAfterUpdate(0xffffffff, { value: 0, mask: 0xffff })],
    [9, 0x1210, 0xffff0000],
  );
  assert.deepStrictEqual([TCP, UDP_ZONE, ORIG_ZONE].map(updatable), [true, false, false]);
  assert.deepStrictEqual([formatMark({ value: 3, mask: 0xffffffff }), formatMark({ value: 3, mask: 0xf })], ['3', '3/0xf']);
  // a second -U run leaves what the first did only when MARK has no bits outside MASK
  assert.deepStrictEqual(
    [{ value: 9, mask: undefined }, { value: 0x10, mask: 0xf0 }, { value: 0, mask: 0 }, { value: 0x10, mask: 0xf }, { value: 0xffffffff, mask: 0xffff }].map(markUpdateRepeats),
    [true, true, true, false, false],
  );
});
