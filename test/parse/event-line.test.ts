import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isLostEventsLine, parseEventLine, shownEventsCount, type ConnEvent } from '../../src/parse/event-line.js';

const NAT = fileURLToPath(new URL('../../../fixtures/kernel/nat-router/', import.meta.url));
const lines = (name: string) => readFileSync(NAT + name, 'utf8').split('\n').filter((l) => l !== '');
const counts = (events: ConnEvent[]) => {
  const out: Record<string, number> = {};
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
};

describe('parseEventLine on the real captures', () => {
  for (const file of ['events_E.txt', 'events_E_o_timestamp.txt', 'events_E_o_extended_id_ktimestamp.txt']) {
    it(`reads every line of ${file}: NEW=7 UPDATE=21 DESTROY=3`, () => {
      const text = lines(file);
      const events = text.map(parseEventLine);
      assert.deepStrictEqual(events.map((e, i) => (e === undefined ? i + 1 : 0)).filter((n) => n > 0), []);
      assert.deepStrictEqual(counts(events as ConnEvent[]), { new: 7, update: 21, destroy: 3 });
    });
  }

  it('reads the first NEW of events_E.txt: tag, tuples, state, mark, no time', () => {
    const e = parseEventLine(lines('events_E.txt')[0]!)!;
    assert.equal(e.type, 'new');
    assert.equal(e.time, undefined);
    assert.equal(e.userspace, undefined);
    assert.deepStrictEqual(
      [e.conn.protocol, e.conn.timeout, e.conn.state, e.conn.unreplied, e.conn.assured, e.conn.mark, e.conn.nat],
      ['tcp', 120, 'SYN_SENT', true, false, 23552, 'snat'],
    );
    assert.deepStrictEqual(
      [e.conn.original.src, e.conn.original.sport, e.conn.original.dst, e.conn.original.dport],
      ['10.1.0.2', 38670, '10.2.0.2', 80],
    );
    assert.deepStrictEqual(
      [e.conn.reply.src, e.conn.reply.sport, e.conn.reply.dst, e.conn.reply.dport],
      ['10.2.0.2', 80, '10.2.0.1', 38670],
    );
    assert.equal(e.conn.original.packets, undefined);
  });

  it('reads a DESTROY caused by expiry: no timeout column, counters and delta-time', () => {
    const e = parseEventLine(lines('events_E.txt')[26]!)!;
    assert.equal(e.type, 'destroy');
    assert.equal(e.userspace, undefined);
    assert.deepStrictEqual(
      [e.conn.protocol, e.conn.timeout, e.conn.original.sport, e.conn.original.dport, e.conn.deltaTime],
      ['udp', undefined, 40123, 123, 2],
    );
    assert.deepStrictEqual([e.conn.original.packets, e.conn.original.bytes, e.conn.reply.packets, e.conn.reply.bytes], [1, 52, 1, 76]);
    assert.equal(e.conn.bytesTotal, 128);
  });

  it('cuts the [USERSPACE] suffix of a conntrack -D deletion (portid only, as in events_E.txt)', () => {
    const e = parseEventLine(lines('events_E.txt')[30]!)!;
    assert.equal(e.type, 'destroy');
    assert.deepStrictEqual(e.userspace, { portid: 3103049334, progname: undefined });
    assert.deepStrictEqual([e.conn.timeout, e.conn.state, e.conn.assured, e.conn.deltaTime, e.conn.extra], [6, 'CLOSE', true, 3, undefined]);
    assert.deepStrictEqual([e.conn.original.bytes, e.conn.reply.bytes], [368, 3164]);
  });

  it('reads the progname and the -o extended,id,ktimestamp fields of a deletion', () => {
    const e = parseEventLine(lines('events_E_o_extended_id_ktimestamp.txt')[30]!)!;
    assert.deepStrictEqual(e.userspace, { portid: 3103049334, progname: 'conntrack' });
    assert.deepStrictEqual(
      [e.conn.family, e.conn.id, e.conn.start, e.conn.stop, e.conn.extra],
      ['ipv4', 1603540798, 'Tue Nov 24 09:24:51 2026', 'Tue Nov 24 09:24:54 2026', undefined],
    );
  });

  it('reads the -o timestamp prefix as epoch seconds with microseconds', () => {
    const text = lines('events_E_o_timestamp.txt');
    const events = text.map((l) => parseEventLine(l)!);
    assert.equal(events[0]!.time, 1795512291.122787);
    assert.deepStrictEqual(
      events.filter((e) => e.type === 'destroy').map((e) => [e.time, e.conn.protocol, e.userspace?.portid]),
      [
        [1795512294.641363, 'udp', undefined],
        [1795512294.958871, 'icmp', undefined],
        [1795512294.96328, 'tcp', 3103049334],
      ],
    );
  });

  it('gives the same connection with and without the timestamp prefix', () => {
    const plain = lines('events_E.txt').map((l) => parseEventLine(l)!);
    const stamped = lines('events_E_o_timestamp.txt').map((l) => parseEventLine(l)!);
    assert.deepStrictEqual(stamped.map((e) => ({ ...e, time: undefined })), plain);
  });

  it('reads the ICMP NEW of the ping with its echo id', () => {
    const e = parseEventLine(lines('events_E.txt')[6]!)!;
    assert.deepStrictEqual([e.type, e.conn.protocol, e.conn.original.type, e.conn.original.id, e.conn.reply.type], ['new', 'icmp', 8, 11725, 0]);
  });
});

describe('parseEventLine on what is not a connection event', () => {
  const cases: Array<[string, string]> = [
    ['an empty line', ''],
    ['the trailer', 'conntrack v1.4.7 (conntrack-tools): 31 flow events have been shown.'],
    ['an expectation event', lines('events_E_expect.txt')[0]!],
    ['an unknown tag', ' [MOVED] tcp      6 120 SYN_SENT src=10.1.0.2 dst=10.2.0.2 sport=1 dport=2 src=10.2.0.2 dst=10.1.0.2 sport=2 dport=1'],
    ['a bad timestamp', '[17955x.1]\t    [NEW] tcp      6 120 SYN_SENT src=10.1.0.2 dst=10.2.0.2 sport=1 dport=2 src=10.2.0.2 dst=10.1.0.2 sport=2 dport=1'],
    ['a table line without a tag', 'tcp      6 120 SYN_SENT src=10.1.0.2 dst=10.2.0.2 sport=1 dport=2 src=10.2.0.2 dst=10.1.0.2 sport=2 dport=1'],
    ['a tag with a cut line', '    [NEW] tcp      6 120 SYN_SENT src=10.1.0.2 dst=10.2.0.2 sport=1'],
    ['the ENOBUFS warning', 'WARNING: We have hit ENOBUFS! We are losing events.'],
  ];
  for (const [name, line] of cases) {
    it(`returns undefined for ${name}`, () => assert.equal(parseEventLine(line), undefined));
  }

  it('accepts a CRLF line end', () => {
    const e = parseEventLine(lines('events_E.txt')[0]! + '\r');
    assert.equal(e?.conn.mark, 23552);
  });
});

describe('conntrack stderr lines', () => {
  it('recognises the ENOBUFS lost-events warning and nothing else', () => {
    assert.deepStrictEqual(
      [
        'WARNING: We have hit ENOBUFS! We are losing events.',
        'conntrack: WARNING: We have hit ENOBUFS! We are losing events.',
        'This message means that the current netlink socket buffer size is too small.',
        'NOTICE: Netlink socket buffer size has been set to 2097152 bytes.',
      ].map(isLostEventsLine),
      [true, true, false, false],
    );
  });

  it('reads the count of the trailer in events_E.txt.stderr', () => {
    assert.equal(shownEventsCount(lines('events_E.txt.stderr')[0]!), 31);
    assert.equal(shownEventsCount('NOTICE: Netlink socket buffer size has been set to 2097152 bytes.'), undefined);
  });
});
