import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CtflowError } from '../../src/errors.js';
import { exactFilter, exactPredicate, parseExactConnection, type ExactFields } from '../../src/kernel/exact-connection.js';
import { parseConnLine } from '../../src/parse/conn-line.js';

function usage(fields: ExactFields): string {
  try {
    parseExactConnection(fields);
  } catch (e) {
    assert.ok(e instanceof CtflowError);
    assert.equal(e.exitCode, 2);
    return e.message;
  }
  return 'no error';
}

const tcp = { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: '1000', dport: '443' };

test('accepts a tcp connection and builds the conntrack filter', () => {
  const e = parseExactConnection(tcp);
  assert.deepStrictEqual(exactFilter(e), { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 443, icmpType: undefined, icmpCode: undefined, icmpId: undefined, zone: undefined });
});

test('accepts icmp without type/code/id and canonicalises IPv6', () => {
  assert.deepStrictEqual(parseExactConnection({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2' }).sport, undefined);
  const e = parseExactConnection({ proto: 'ipv6-icmp', src: '2001:DB8:0::1', dst: '2001:db8::2', icmpType: '128', icmpId: '9' });
  assert.deepStrictEqual([e.proto, e.src, e.icmpType, e.icmpCode, e.icmpId], ['icmpv6', '2001:db8::1', 128, undefined, 9]);
});

test('names the missing or bad field (exit 2)', () => {
  assert.deepStrictEqual([
    usage({ ...tcp, proto: undefined }),
    usage({ ...tcp, src: undefined }),
    usage({ ...tcp, dst: '' }),
    usage({ ...tcp, src: '10.0.0.0/24' }),
    usage({ ...tcp, dst: '2001:db8::1' }),
    usage({ ...tcp, sport: undefined }),
    usage({ ...tcp, dport: undefined }),
    usage({ ...tcp, dport: '70000' }),
    usage({ ...tcp, proto: 'bogus' }),
    usage({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', sport: '1' }),
    usage({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', dport: '1' }),
    usage({ ...tcp, icmpType: '8' }),
    usage({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', icmpCode: '300' }),
    usage({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', icmpId: 'x' }),
    usage({ proto: 'icmp', src: '2001:db8::1', dst: '2001:db8::2' }),
    usage({ proto: 'icmpv6', src: '10.0.0.1', dst: '10.0.0.2' }),
    usage({ ...tcp, zone: '70000' }),
  ], [
    'ctflow: --proto is required to name one connection, got nothing',
    'ctflow: --src is required to name one connection, got nothing',
    'ctflow: --dst is required to name one connection, got nothing',
    'ctflow: --src: one connection needs one address (no CIDR), got "10.0.0.0/24"',
    'ctflow: --dst: must be the same family as --src (10.0.0.1), got "2001:db8::1"',
    'ctflow: --sport is required for tcp, got nothing',
    'ctflow: --dport is required for tcp, got nothing',
    'ctflow: --dport: a port must be a number from 0 to 65535, got "70000"',
    'ctflow: --proto: unknown protocol, expected one of icmp, tcp, udp, dccp, gre, esp, ah, icmpv6, sctp, udplite or a number 0-255, got "bogus"',
    'ctflow: --sport: icmp has no ports, got "1"',
    'ctflow: --dport: icmp has no ports, got "1"',
    'ctflow: --icmp-type: only for icmp and icmpv6, got --proto tcp',
    'ctflow: --icmp-code: expected a number from 0 to 255, got "300"',
    'ctflow: --icmp-id: expected a number from 0 to 65535, got "x"',
    'ctflow: --proto: icmp is IPv4, use icmpv6 for 2001:db8::1, got "icmp"',
    'ctflow: --proto: icmpv6 is IPv6, use icmp for 10.0.0.1, got "icmpv6"',
    'ctflow: --zone: a zone must be a number from 0 to 65535, got "70000"',
  ]);
});

test('matches the same entries conntrack -D would (any zone unless -w)', () => {
  const lines = [
    'tcp      6 3599 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=443 src=10.0.0.2 dst=10.0.0.1 sport=443 dport=1000 [ASSURED] mark=0 use=1',
    'tcp      6 3599 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=443 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=443 dport=1000 mark=0 zone=7 use=1',
    'tcp      6 3599 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1001 dport=443 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=443 dport=1001 mark=0 use=1',
    'icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=77 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=77 mark=0 use=1',
  ].map((l) => parseConnLine(l)!);
  const hits = (f: ExactFields): boolean[] => lines.map(exactPredicate(parseExactConnection(f)));
  assert.deepStrictEqual(hits(tcp), [true, true, false, false]);
  assert.deepStrictEqual(hits({ ...tcp, zone: '7' }), [false, true, false, false]);
  assert.deepStrictEqual(hits({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2' }), [false, false, false, true]);
  assert.deepStrictEqual(hits({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', icmpId: '78' }), [false, false, false, false]);
});
