// delete/update by filters conntrack cannot take as one -D (--port, several states, --snat) on a
// 4,000-entry table in a private namespace: the few conntrack filters ctflow runs instead delete
// exactly the set --dry-run showed, and nothing else (table read back afterwards).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, inNetns, netnsUnavailable } from '../helpers/netns.js';
import { netnsTable, without } from '../helpers/netns-table.js';
import type { Conn } from '../../src/model.js';

const skip = netnsUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'ctflow-cover-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const N = 2000;

/**
 * tcp and udp to and from port 9999 in every direction (a port-forward makes it the reply's
 * ports only), SNAT from eight hosts, the NAT address's own connections (no NAT), and a twin of
 * each of 100 SNAT entries in zone 5 without NAT.
 */
function insertLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const host = `10.30.${(i >> 8) & 255}.${i & 255}`;
    const state = i % 3 === 0 ? 'TIME_WAIT' : i % 3 === 1 ? 'ESTABLISHED' : 'SYN_SENT';
    switch (i % 5) {
      case 0: lines.push(`-I -p tcp -s ${host} -d 10.40.0.1 --sport ${20000 + (i % 30000)} --dport 9999 --state ${state} -t 3600`); break;
      case 1: lines.push(`-I -p udp -s ${host} -d 10.40.0.2 --sport 9999 --dport 53 -t 3600`); break;
      // port-forward: 10.40.0.3:80 → 10.50.0.9:9999 (reply sport 9999, neither original port)
      case 2: lines.push(`-I -p tcp -s ${host} -d 10.40.0.3 --sport ${20000 + (i % 30000)} --dport 80 -r 10.50.0.9 -q ${host} --reply-port-src 9999 --reply-port-dst ${20000 + (i % 30000)} --state ${state} -t 3600`); break;
      case 3: {
        const src = `192.168.0.${(i % 8) + 1}`;
        const sport = 1024 + i;
        lines.push(`-I -p tcp -s ${src} -d 198.51.100.7 --sport ${sport} --dport 443 -r 198.51.100.7 -q 203.0.113.1 --reply-port-src 443 --reply-port-dst ${sport} --state ${state} -t 3600`);
        if (i % 40 === 3) lines.push(`-I -p tcp -s ${src} -d 198.51.100.7 --sport ${sport} --dport 443 --state ${state} -t 3600 -w 5`);
        break;
      }
      default: lines.push(`-I -p tcp -s 203.0.113.1 -d 198.51.100.8 --sport ${20000 + (i % 30000)} --dport 443 --state ${state} -t 3600`); break;
    }
  }
  return lines;
}

const INSERT = join(dir, 'insert.txt');
writeFileSync(INSERT, `${insertLines().join('\n')}\n`);
const TOTAL = N + N / 40;

interface Json { matched: Array<Record<string, unknown>>; would_run: string[] }

/** A matched row as dry-run and result print it, without the clock that ticks between them. */
const still = (rows: Array<Record<string, unknown>>): unknown[] => rows.map((r) => ({ ...r, timeout: null })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * Dry run, then the real change, in a fresh namespace: returns what dry-run showed, the result,
 * and the table before and after.
 */
async function change(args: string[]): Promise<{ dry: Json; result: Record<string, unknown> & Json; before: Map<string, Conn>; afterwards: Map<string, Conn> }> {
  const ns = createNetns('cover');
  try {
    inNetns(ns, 'conntrack', ['-R', INSERT]);
    const before = netnsTable(ns);
    assert.equal(before.size, TOTAL);
    const d = await runCli([...args, '--dry-run', '--json'], { netns: ns });
    assert.equal(d.code, 0, d.stderr);
    assert.deepStrictEqual(netnsTable(ns), before);
    const r = await runCli([...args, '--yes', '--json'], { netns: ns });
    assert.deepStrictEqual([r.code, r.stderr], [0, '']);
    return { dry: JSON.parse(d.stdout) as Json, result: JSON.parse(r.stdout) as Record<string, unknown> & Json, before, afterwards: netnsTable(ns) };
  } finally {
    deleteNetns(ns);
  }
}

const hasPort = (c: Conn, p: number): boolean => [c.original.sport, c.original.dport, c.reply.sport, c.reply.dport].includes(p);

test('delete --port 9999: the fewest port filters (tcp reply sport covers plain and forwarded), exactly the dry-run set goes', { skip }, async () => {
  const { dry, result, before, afterwards } = await change(['delete', '--port', '9999']);
  const gone = [...before.values()].filter((c) => hasPort(c, 9999));
  assert.deepStrictEqual(dry.would_run, ['conntrack -D -p tcp --reply-port-src 9999', 'conntrack -D -p udp --sport 9999']);
  assert.deepStrictEqual([result.deleted, dry.matched.length, still(result.matched)], [gone.length, gone.length, still(dry.matched)]);
  assert.deepStrictEqual(afterwards, without(before, (c) => hasPort(c, 9999)));
});

test('delete -p tcp --state ESTABLISHED,TIME_WAIT -s CIDR: one conntrack filter per state', { skip }, async () => {
  const inCidr = (c: Conn): boolean => c.protonum === 6 && c.original.src.startsWith('10.30.') && (c.state === 'ESTABLISHED' || c.state === 'TIME_WAIT');
  const { dry, result, before, afterwards } = await change(['delete', '-p', 'tcp', '--state', 'ESTABLISHED,TIME_WAIT', '-s', '10.30.0.0/16']);
  assert.deepStrictEqual([...dry.would_run].sort(), ['conntrack -D -p tcp -s 10.30.0.0/16 --state ESTABLISHED', 'conntrack -D -p tcp -s 10.30.0.0/16 --state TIME_WAIT']);
  assert.deepStrictEqual([result.deleted, dry.matched.length], [[...before.values()].filter(inCidr).length, [...before.values()].filter(inCidr).length]);
  assert.deepStrictEqual(afterwards, without(before, inCidr));
});

test('delete --snat: grouped by address where the table read confirms the group, never the zone-5 twins without NAT', { skip }, async () => {
  const snat = (c: Conn): boolean => c.nat === 'snat' || c.nat === 'both';
  const { dry, result, before, afterwards } = await change(['delete', '--snat']);
  const gone = [...before.values()].filter(snat);
  // eight source hosts, each one filter: conntrack -D -s HOST -q NAT-ADDRESS
  assert.deepStrictEqual([...dry.would_run].sort(), [1, 2, 3, 4, 5, 6, 7, 8].map((h) => `conntrack -D -s 192.168.0.${h} -q 203.0.113.1`));
  assert.deepStrictEqual([result.deleted, still(result.matched)], [gone.length, still(dry.matched)]);
  assert.deepStrictEqual(afterwards, without(before, snat));
});

test('update --port 9999 --set-mark: the same port filters as conntrack -U runs, with the family', { skip }, async () => {
  const { dry, result, before, afterwards } = await change(['update', '--port', '9999', '--set-mark', '7']);
  assert.deepStrictEqual(dry.would_run, ['conntrack -U -f ipv4 -p tcp --reply-port-src 9999 -m 7', 'conntrack -U -f ipv4 -p udp --sport 9999 -m 7']);
  const marked = [...before.values()].filter((c) => hasPort(c, 9999));
  assert.deepStrictEqual(result.updated, marked.length);
  assert.deepStrictEqual([...afterwards].map(([k, c]) => [k, c.mark]), [...before].map(([k, c]) => [k, hasPort(c, 9999) ? 7 : c.mark]));
});
