// The routing decision of delete/update: one `conntrack -D` argv when conntrack's own filter says
// exactly what ctflow's filter says, otherwise one `-R` batch of exact tuples. Planned against the
// captured `inserted/` table (29 entries: zones, marks, sctp, gre, udplite, icmp, IPv6), no root.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CtflowError } from '../../src/errors.js';
import type { FilterOptions } from '../../src/filter/compile-filter.js';
import { executePlan, planDelete, planUpdate, type Plan } from '../../src/kernel/change-table.js';
import { conntrackFilterFor } from '../../src/kernel/conntrack-filter.js';
import { entryKey } from '../../src/kernel/plan-progress.js';
import type { ConntrackFilter } from '../../src/kernel/conntrack-invocation.js';
import { parseExactConnection } from '../../src/kernel/exact-connection.js';
import { fixture } from '../helpers/cli.js';

// read as the kernel's own table (procPath), where conntrack's filter may act; `saved` is the same
// table as a file, which a delete always treats entry by entry
const source = { procPath: fixture('inserted/proc_nf_conntrack.txt') };
const saved = { file: fixture('inserted/proc_nf_conntrack.txt') };

/** The filter without its undefined fields (conntrackFilterFor returns every key). */
function defined(f: ConntrackFilter | undefined): Partial<ConntrackFilter> | undefined {
  return f === undefined ? undefined : Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
}

const TCP = 6;
const UDP = 17;

// [ctflow filter, what conntrack is given (undefined: conntrack cannot say it → -R batch)]
const FILTERS: Array<[string, FilterOptions, Partial<ConntrackFilter> | undefined]> = [
  ['no filter at all', {}, {}],
  ['protocol number becomes its name', { proto: TCP }, { proto: 'tcp' }],
  ['unnamed protocol number stays a number', { proto: 253 }, { proto: '253' }],
  ['family', { family: 'ipv6' }, { family: 'ipv6' }],
  ['source CIDR and destination address', { src: '10.0.0.0/24', dst: '10.0.0.9' }, { src: '10.0.0.0/24', dst: '10.0.0.9' }],
  ['reply addresses when plain', { replySrc: '10.0.0.2', replyDst: '2001:db8::1' }, { replySrc: '10.0.0.2', replyDst: '2001:db8::1' }],
  ['reply source CIDR: conntrack has no reply mask', { replySrc: '10.0.0.0/8' }, undefined],
  ['reply destination CIDR: conntrack has no reply mask', { replyDst: '2001:db8::/32' }, undefined],
  ['all four ports with tcp', { proto: TCP, sport: 1, dport: 2, replyPortSrc: 3, replyPortDst: 4 }, { proto: 'tcp', sport: 1, dport: 2, replyPortSrc: 3, replyPortDst: 4 }],
  ['ports with udp', { proto: UDP, dport: 53 }, { proto: 'udp', dport: 53 }],
  ['ports with udplite', { proto: 136, sport: 5060 }, { proto: 'udplite', sport: 5060 }],
  ['ports with sctp', { proto: 132, replyPortDst: 3868 }, { proto: 'sctp', replyPortDst: 3868 }],
  ['ports with dccp', { proto: 33, replyPortSrc: 9 }, { proto: 'dccp', replyPortSrc: 9 }],
  ['a port without a protocol', { dport: 443 }, undefined],
  ['a port with icmp (no ports)', { proto: 1, sport: 1 }, undefined],
  ['a port with gre (no ports)', { proto: 47, dport: 1 }, undefined],
  ['--port (either port, either direction)', { proto: TCP, port: 443 }, undefined],
  ['one state with a protocol', { proto: TCP, state: ['ESTABLISHED'] }, { proto: 'tcp', state: 'ESTABLISHED' }],
  ['one state without a protocol', { state: ['ESTABLISHED'] }, undefined],
  ['two states', { proto: TCP, state: ['ESTABLISHED', 'TIME_WAIT'] }, undefined],
  ['mark without mask', { mark: { value: 5, mask: 0xffffffff } }, { mark: { value: 5, mask: 0xffffffff } }],
  ['mark inside its mask', { mark: { value: 0x10, mask: 0xf0 } }, { mark: { value: 0x10, mask: 0xf0 } }],
  // both match nothing: ctflow compares (mark & mask) with the value, as conntrack does
  ['mark with bits outside its mask', { mark: { value: 0x110, mask: 0xf0 } }, { mark: { value: 0x110, mask: 0xf0 } }],
  ['status ASSURED', { status: ['ASSURED'] }, { status: ['ASSURED'] }],
  ['status ASSURED and SEEN_REPLY', { status: ['SEEN_REPLY', 'ASSURED'] }, { status: ['SEEN_REPLY', 'ASSURED'] }],
  ['status UNREPLIED', { status: ['UNREPLIED'] }, undefined],
  ['status OFFLOAD', { status: ['ASSURED', 'OFFLOAD'] }, undefined],
  ['zone (conntrack -w also takes directional zones differently)', { zone: 7 }, undefined],
  ['--snat', { snat: true }, undefined],
  ['--dnat', { dnat: true }, undefined],
  ['--nat', { nat: true }, undefined],
  ['false NAT flags are no filter', { snat: false, dnat: false, nat: false, proto: UDP }, { proto: 'udp' }],
];

test('conntrackFilterFor: each filter option → the conntrack filter, or undefined when conntrack cannot say it', () => {
  assert.deepStrictEqual(
    FILTERS.map(([name, f]) => [name, defined(conntrackFilterFor(f))]),
    FILTERS.map(([name, , expected]) => [name, expected]),
  );
});

const BATCH = ['-R', '-'];

/** A delete plan's one invocation (a delete is always one step). */
function invocationOf(plan: Plan): Plan['steps'][number]['invocation'] {
  assert.equal(plan.steps.length, 1);
  return plan.steps[0]!.invocation;
}

// [ctflow filter, each step's conntrack argv and batch lines (undefined = a -D argv), entries matched]
const ROUTES: Array<[FilterOptions, Array<[string[], string[] | undefined]>, number]> = [
  [{ proto: TCP, dport: 443 }, [[['-D', '-p', 'tcp', '--dport', '443'], undefined]], 10],
  [{ family: 'ipv6', proto: UDP }, [[['-D', '-f', 'ipv6', '-p', 'udp'], undefined]], 1],
  [{ src: '192.0.2.0/24', mark: { value: 1, mask: 0xffffffff }, status: ['ASSURED'] }, [[['-D', '-s', '192.0.2.0/24', '-m', '1', '-u', 'ASSURED'], undefined]], 0],
  [{ proto: 132, state: ['ESTABLISHED'] }, [[['-D', '-p', 'sctp', '--state', 'ESTABLISHED'], undefined]], 1],
  [{ replySrc: '192.0.2.12', replyDst: '192.0.2.13' }, [[['-D', '-r', '192.0.2.12', '-q', '192.0.2.13'], undefined]], 1],
  [{ zone: 7 }, [[BATCH, ['-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33010 --dport 443 -w 7']]], 1],
  // --port: the fewest of its four port filters, per protocol matched (conntrack's ports need -p)
  [{ port: 5060 }, [
    [['-D', '-p', 'udp', '--dport', '5060'], undefined],
    [['-D', '-p', 'udplite', '--sport', '5060'], undefined],
    [['-D', '-p', 'tcp', '--dport', '5060'], undefined],
  ], 4],
  // several states: one filter each
  [{ proto: TCP, state: ['FIN_WAIT', 'CLOSE_WAIT'] }, [
    [['-D', '-p', 'tcp', '--state', 'FIN_WAIT'], undefined],
    [['-D', '-p', 'tcp', '--state', 'CLOSE_WAIT'], undefined],
  ], 2],
  // the zone test dropped: the one tcp CLOSE_WAIT entry of the table is the zone-4 one
  [{ zone: 4, proto: TCP, state: ['CLOSE_WAIT'] }, [[['-D', '-p', 'tcp', '--state', 'CLOSE_WAIT'], undefined]], 1],
  [{ dnat: true }, [[BATCH, ['-D -p tcp -s 192.0.2.10 -d 192.0.2.11 --sport 33020 --dport 80 -w 0']]], 1],
  [{ status: ['UNREPLIED'], proto: 1 }, [[BATCH, ['-D -p icmp -s 192.0.2.10 -d 192.0.2.12 --icmp-type 8 --icmp-code 0 --icmp-id 1010 -w 0']]], 1],
  // 0x100/0xff: no (mark & 0xff) is 0x100, so nothing matches, for ctflow as for conntrack
  [{ proto: 47, mark: { value: 0x100, mask: 0xff } }, [[['-D', '-p', 'gre', '-m', '256/0xff'], undefined]], 0],
  [{ proto: 47, nat: true }, [[BATCH, []]], 0],
  // the zone dropped selects the zone-65535 twin too, and so does every address group: entry by entry
  [{ zone: 0, proto: UDP, src: '192.0.2.10', dst: '192.0.2.12' }, [[BATCH, [
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53001 --dport 53 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53000 --dport 53 -w 0',
  ]]], 2],
  [{ proto: 47 }, [[['-D', '-p', 'gre'], undefined]], 1],
];

test('planDelete: each filter → one -D argv, the few -D argvs that cover it, or one -R batch of exact lines', async () => {
  const got = await Promise.all(ROUTES.map(async ([f]) => {
    const plan = await planDelete({ kind: 'filter', filter: f }, { source, conntrackBin: '/opt/ct' });
    return [plan.steps.map((s) => [s.invocation.command, s.invocation.args, s.invocation.batch]), plan.matched.length];
  }));
  assert.deepStrictEqual(got, ROUTES.map(([, steps, n]) => [steps.map(([args, batch]) => ['/opt/ct', args, batch]), n]));
});

test('planDelete: a saved table, or a --max bound, deletes exactly the matched entries (a batch), never by filter', async () => {
  const filter: FilterOptions = { proto: UDP, src: '192.0.2.10', dst: '192.0.2.12' };
  const lines = [
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53002 --dport 53 -w 65535',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53001 --dport 53 -w 0',
    '-D -p udp -s 192.0.2.10 -d 192.0.2.12 --sport 53000 --dport 53 -w 0',
  ];
  const [live, fromFile, bounded] = await Promise.all([
    planDelete({ kind: 'filter', filter }, { source }),
    planDelete({ kind: 'filter', filter }, { source: saved }),
    planDelete({ kind: 'filter', filter }, { source, max: 5 }),
  ]);
  assert.deepStrictEqual([invocationOf(live).args, invocationOf(live).batch], [['-D', '-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12'], undefined]);
  assert.deepStrictEqual([invocationOf(fromFile).args, invocationOf(fromFile).batch], [['-R', '-'], lines]);
  assert.deepStrictEqual([invocationOf(bounded).args, invocationOf(bounded).batch], [['-R', '-'], lines]);
});

test('planDelete: a batch names exactly the matched entries, one line each', async () => {
  const plan = await planDelete({ kind: 'filter', filter: { port: 5060 } }, { source: saved });
  assert.deepStrictEqual(invocationOf(plan).command, 'conntrack');
  assert.deepStrictEqual(
    plan.matched.map(entryKey),
    (invocationOf(plan).batch ?? []).map((line) => {
      // the batch line says the same tuple the entry has
      const [, , proto, , src, , dst, , sport, , dport] = line.split(' ');
      const c = plan.matched.find((m) => m.protocol === proto && m.original.src === src && m.original.dst === dst && m.original.sport === Number(sport) && m.original.dport === Number(dport));
      assert.ok(c, line);
      return entryKey(c);
    }),
  );
});

test('planDelete: an exact connection is always one -D argv (with -w only when given)', async () => {
  const exact = (fields: Parameters<typeof parseExactConnection>[0]) => planDelete({ kind: 'exact', connection: parseExactConnection(fields) }, { source });
  const tcp = await exact({ proto: 'tcp', src: '192.0.2.10', dst: '192.0.2.11', sport: '33010', dport: '443' });
  const zoned = await exact({ proto: 'tcp', src: '192.0.2.10', dst: '192.0.2.11', sport: '33010', dport: '443', zone: '7' });
  const icmp6 = await exact({ proto: 'icmpv6', src: '2001:db8:a::11', dst: '2001:db8:a::12', icmpType: '128', icmpCode: '0', icmpId: '3010' });
  assert.deepStrictEqual([tcp, zoned, icmp6].map((p) => [invocationOf(p), p.matched.length]), [
    [{ command: 'conntrack', args: ['-D', '-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '33010', '--dport', '443'] }, 1],
    [{ command: 'conntrack', args: ['-D', '-p', 'tcp', '-s', '192.0.2.10', '-d', '192.0.2.11', '--sport', '33010', '--dport', '443', '-w', '7'] }, 1],
    [{ command: 'conntrack', args: ['-D', '-p', 'icmpv6', '-s', '2001:db8:a::11', '-d', '2001:db8:a::12', '--icmpv6-type', '128', '--icmpv6-code', '0', '--icmpv6-id', '3010'] }, 1],
  ]);
});

async function refusal(p: Promise<unknown>): Promise<[string, string, number]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CtflowError);
    return [e.code, e.message, e.exitCode];
  }
  return ['no error', '', 0];
}

/** Each step of a plan: its argv and how many matched entries it is for. */
function stepsOf(plan: Plan): Array<[string, string[], number]> {
  return plan.steps.map((s) => [s.invocation.command, s.invocation.args, s.entries.length]);
}

test('planUpdate: conntrack -U argv for filters it takes, one per family matched unless the filter or tuple names it', async () => {
  const mark = { value: 0x42, mask: undefined };
  const plans = await Promise.all([
    planUpdate({ kind: 'filter', filter: { family: 'ipv6', proto: TCP } }, mark, { source }),
    planUpdate({ kind: 'exact', connection: parseExactConnection({ proto: 'udp', src: '192.0.2.10', dst: '192.0.2.12', sport: '53000', dport: '53' }) }, { value: 1, mask: 0xff }, { source }),
    // udp outside zones: four IPv4 entries and one IPv6 entry → one run per family
    planUpdate({ kind: 'filter', filter: { proto: UDP, zone: 0 } }, mark, { source, conntrackBin: '/opt/ct' }),
    // port filters work once the family is given (they failed only for want of it)
    planUpdate({ kind: 'filter', filter: { proto: UDP, dport: 5060 } }, mark, { source }),
    planUpdate({ kind: 'filter', filter: { proto: UDP, replyPortDst: 546 } }, mark, { source }),
    // nothing matched and no family named: nothing to run
    planUpdate({ kind: 'filter', filter: { proto: UDP, sport: 1 } }, mark, { source }),
  ]);
  assert.deepStrictEqual(plans.map((p) => [stepsOf(p), p.matched.length]), [
    [[['conntrack', ['-U', '-f', 'ipv6', '-p', 'tcp', '-m', '66'], 1]], 1],
    [[['conntrack', ['-U', '-p', 'udp', '-s', '192.0.2.10', '-d', '192.0.2.12', '--sport', '53000', '--dport', '53', '-m', '1/0xff'], 1]], 1],
    [[['/opt/ct', ['-U', '-f', 'ipv4', '-p', 'udp', '-m', '66'], 4], ['/opt/ct', ['-U', '-f', 'ipv6', '-p', 'udp', '-m', '66'], 1]], 5],
    [[['conntrack', ['-U', '-f', 'ipv4', '-p', 'udp', '--dport', '5060', '-m', '66'], 2]], 2],
    [[['conntrack', ['-U', '-f', 'ipv6', '-p', 'udp', '--reply-port-dst', '546', '-m', '66'], 1]], 1],
    [[], 0],
  ]);
});

test('planUpdate: --port becomes the port filters conntrack -U takes, with the family of what each selects', async () => {
  const mark = { value: 0x42, mask: undefined };
  const plans = await Promise.all([
    planUpdate({ kind: 'filter', filter: { proto: UDP, port: 5060 } }, mark, { source }),
    planUpdate({ kind: 'filter', filter: { proto: UDP, port: 547 } }, mark, { source }),
  ]);
  assert.deepStrictEqual(plans.map((p) => [stepsOf(p), p.matched.length]), [
    [[['conntrack', ['-U', '-f', 'ipv4', '-p', 'udp', '--dport', '5060', '-m', '66'], 2]], 2],
    [[['conntrack', ['-U', '-f', 'ipv6', '-p', 'udp', '--dport', '547', '-m', '66'], 1]], 1],
  ]);
});

test('planUpdate: refuses zones and filters -U cannot say, before anything runs', async () => {
  const mark = { value: 0x42, mask: undefined };
  const REFUSED = (why: string): string => `ctflow: update: this filter cannot be passed to conntrack -U (${why}) and conntrack's -R batch of -U lines is unreliable, nothing was changed; filter with -p, -s, -d, -r, -q, -f and ports only, or name one connection with --exact`;
  assert.deepStrictEqual(await Promise.all([
    refusal(planUpdate({ kind: 'filter', filter: { snat: true } }, mark, { source })),
    refusal(planUpdate({ kind: 'filter', filter: { mark: { value: 99, mask: 0xffffffff } } }, mark, { source })),
    refusal(planUpdate({ kind: 'filter', filter: { proto: UDP, dst: '192.0.2.12' } }, mark, { source })),
  ]), [
    ['EUPDATEFILTER', REFUSED('conntrack has no equal filter'), 1],
    ['EUPDATEFILTER', REFUSED('-m means "set" for conntrack -U'), 1],
    ['EZONE', 'ctflow: update: conntrack -U cannot change entries that live in a conntrack zone, 1 of 3 matches do (narrow the filter to entries outside zones, e.g. by address; ctflow list -w N shows which)', 1],
  ]);
});

test('executePlan: --max refuses before running anything; an empty batch runs nothing', async () => {
  const plan = await planDelete({ kind: 'filter', filter: { proto: TCP, dport: 443 } }, { source, conntrackBin: '/nonexistent/conntrack' });
  assert.deepStrictEqual(await refusal(executePlan(plan, { max: 9 })), [
    'EMAX', 'ctflow: --max 9: 10 connections match, refusing to delete any (raise --max or narrow the filter)', 1,
  ]);
  const empty = await planDelete({ kind: 'filter', filter: { port: 1 } }, { source, conntrackBin: '/nonexistent/conntrack' });
  assert.deepStrictEqual([invocationOf(empty).batch, await executePlan(empty)], [[], { count: 0, matched: [] }]);
});
