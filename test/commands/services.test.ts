// Service names from the real /etc/services (netbase): the Service column of the flows and list
// tables, -n without it, and port filters given by name. The fixtures' ports (22, 53, 80, 123,
// 443, 514, 2049, 5432, 8080) have had the same netbase names for decades.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture, runCli } from '../helpers/cli.js';

const ROUTER = fixture('nat-router/proc_nf_conntrack.txt');
const HOST = fixture('local-host/proc_nf_conntrack.txt');
const HOST_LOCAL = readFileSync(fixture('local-host/ip_o_addr.txt'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/\s+/)[3]!.split('/')[0]!).join(',');

/** A box table's rows as cells (the header first). */
const cells = (table: string): string[][] => table.split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));

describe('the Service column (unless -n)', () => {
  it('flows: the server port of each flow named, local for passive and local flows, the peer for active ones', async () => {
    const r = await runCli(['flows', '--file', HOST, '--local', HOST_LOCAL, '-p', 'tcp', '--dns-timeout', '1', '--wide']);
    assert.equal(r.code, 0);
    // peer names depend on this machine's resolver: only the endpoints we own and the column
    assert.deepStrictEqual(cells(r.stdout).map((row) => [row[1], row[2], row.at(-1)]), [
      ['Local or client', '<-->', 'Service'],
      ['10.3.0.10:22', '<--', 'ssh'],
      ['10.3.0.10:22', '<--', 'ssh'],
      ['10.3.0.10:80', '<--', 'http'],
      ['10.3.0.10:443', '<--', 'https'],
      ['10.3.0.10:40001', '<--', ''],
      ['[fd00:a3::10]:443', '<--', 'https'],
      ['10.3.0.10:many', '-->', 'https'],
      ['10.3.0.10:many', '-->', 'nfs'],
      ['10.3.0.10:many', '-->', 'discard'],
      ['10.3.0.10:many', '-->', 'postgresql'],
      ['10.3.0.10:many', '-->', 'http-alt'],
      ['[fd00:a3::10]:many', '-->', 'https'],
      ['10.3.0.10:80', '<->', 'http'],
      ['127.0.0.1:6379', '<->', 'redis'],
      ['[::1]:443', '<->', 'https'],
    ]);
    const numeric = await runCli(['flows', '--file', HOST, '--local', HOST_LOCAL, '-p', 'tcp', '-n', '--wide']);
    assert.deepStrictEqual(cells(numeric.stdout)[0], ['Proto', 'Local or client', '<-->', 'Peer or server', 'Conns', 'Inpkts', 'Inbytes', 'Outpkts', 'Outbytes']);
  });

  it('flows: a forwarded flow through DNAT is named by its target (2222 → 22 is ssh)', async () => {
    const r = await runCli(['flows', '--file', ROUTER, '--local', '10.1.0.1,10.2.0.1,fd00:a1::1,fd00:a2::1', '--forward', '--port', 'ssh', '--dns-timeout', '1', '--wide']);
    assert.deepStrictEqual(cells(r.stdout).map((row) => row.at(-1)), ['Service', 'ssh']);
  });

  it('list: the reply source port (the server after DNAT) named; list -n drops the column', async () => {
    const r = await runCli(['list', '--file', ROUTER, '-p', 'udp', '--no-color', '--wide']);
    assert.equal(r.stdout, [
      '┌───────┬───────┬────────────────────┬───┬──────────────────┬───────────────────────────────────────┬──────┬───────┬─────────┬───────────┬─────────┐',
      '│ Proto │ State │ Source             │   │ Destination      │ Reply (NAT)                           │ Pkts │ Bytes │ Timeout │ Flags     │ Service │',
      '│ udp   │       │ 10.1.0.2:43426     │ → │ 10.2.0.2:53      │ 10.2.0.2:53 → 10.2.0.1:43426          │    4 │ 280 B │   1m56s │ A m=1     │ domain  │',
      '│ udp   │       │ [fd00:a1::2]:39725 │ → │ [fd00:a2::2]:53  │ [fd00:a2::2]:53 → [fd00:a2::1]:39725  │    2 │ 200 B │     26s │ m=1       │ domain  │',
      '│ udp   │       │ 10.1.0.2:58653     │ → │ 10.2.0.2:6000    │ 10.2.0.2:6000 → 10.2.0.1:58653        │    2 │ 196 B │     26s │ m=42 z=42 │         │',
      '│ udp   │       │ 10.1.0.2:60267     │ → │ 10.2.0.2:123     │ 10.2.0.2:123 → 10.2.0.1:60267         │    2 │ 152 B │     26s │           │ ntp     │',
      '│ udp   │       │ 10.1.0.2:43348     │ → │ 10.2.0.3:514     │ 10.2.0.3:514 → 10.2.0.1:43348         │    1 │ 148 B │     26s │ U         │ syslog  │',
      '│ udp   │       │ 10.1.0.2:42787     │ → │ 10.1.0.1:5353    │ 10.2.0.2:53 → 10.2.0.1:42787          │    2 │ 122 B │     26s │ m=1       │ domain  │',
      '│ udp   │       │ [fd00:a1::2]:33183 │ → │ [fd00:a2::3]:514 │ [fd00:a2::3]:514 → [fd00:a2::1]:33183 │    1 │ 108 B │     26s │ U         │ syslog  │',
      '└───────┴───────┴────────────────────┴───┴──────────────────┴───────────────────────────────────────┴──────┴───────┴─────────┴───────────┴─────────┘',
      '',
    ].join('\n'));
    const numeric = await runCli(['list', '--file', ROUTER, '-p', 'udp', '--numeric', '--wide']);
    assert.deepStrictEqual(cells(numeric.stdout)[0], ['Proto', 'State', 'Source', '', 'Destination', 'Reply (NAT)', 'Pkts', 'Bytes', 'Timeout', 'Flags']);
    assert.equal((await runCli(['list', '--file', ROUTER, '-p', 'udp', '-n', '--wide'])).stdout, numeric.stdout);
  });

  it('CTFLOW_SERVICES names another services file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctflow-services-'));
    const file = join(dir, 'services');
    writeFileSync(file, 'resolver\t53/udp\nwebsite\t80/tcp\n');
    const r = await runCli(['list', '--file', ROUTER, '--dport', 'resolver', '-p', 'udp', '--wide'], { env: { CTFLOW_SERVICES: file } });
    assert.deepStrictEqual(cells(r.stdout).map((row) => [row[4], row.at(-1)]), [['Destination', 'Service'], ['10.2.0.2:53', 'resolver'], ['[fd00:a2::2]:53', 'resolver']]);
  });
});

describe('port filters take service names, resolved once at option parsing', () => {
  /** The entries' original destination ports, in list's order. */
  const dports = async (args: string[]): Promise<number[]> => {
    const r = await runCli(['list', '--file', ROUTER, '--ndjson', '--sort', 'dport', ...args]);
    assert.equal(r.stderr, '');
    return r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { original: { dport: number } }).original.dport);
  };
  it('--dport, --sport, --port, --reply-port-src and --reply-port-dst by name match as the number does', async () => {
    assert.deepStrictEqual(await dports(['--dport', 'http']), await dports(['--dport', '80']));
    assert.deepStrictEqual(await dports(['--dport', 'http']), [80, 80, 80]);
    assert.deepStrictEqual(await dports(['--port', 'ssh']), [2222]);
    assert.deepStrictEqual(await dports(['--reply-port-src', 'domain']), [53, 53, 5353]);
    assert.deepStrictEqual(await dports(['--sport', 'ftp-data']), []);
    assert.deepStrictEqual(await dports(['--reply-port-dst', 'ssh']), []);
  });
  it('flows --pport and --aport by name', async () => {
    const flows = async (args: string[]): Promise<string[]> => {
      const r = await runCli(['flows', '--file', HOST, '--local', HOST_LOCAL, '-n', '--ndjson', ...args]);
      return r.stdout.trim().split('\n').map((l) => {
        const f = JSON.parse(l) as { direction: string; local: { addr: string; port: unknown }; peer: { addr: string; port: unknown } };
        return `${f.direction} ${f.local.addr}:${f.local.port} ${f.peer.addr}:${f.peer.port}`;
      });
    };
    assert.deepStrictEqual(await flows(['--passive', '--pport', 'ssh,https']), [
      'passive 10.3.0.10:22 10.3.0.21:many', 'passive 10.3.0.10:22 10.3.0.22:many', 'passive 10.3.0.10:443 10.3.0.21:many', 'passive fd00:a3::10:443 fd00:a3::21:many',
    ]);
    assert.deepStrictEqual(await flows(['--active', '--aport', 'postgresql', '--aport', 'ntp']), ['active 10.3.0.10:many 10.3.0.22:5432', 'active 10.3.0.10:many 10.3.0.21:123']);
  });
  it('an unknown name is a usage error (exit 2), one sentence', async () => {
    const r = await runCli(['list', '--file', ROUTER, '--dport', 'htps']);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', 'ctflow: --dport: a port must be a number from 0 to 65535 or a service name in /etc/services, got "htps"\n']);
  });
});
