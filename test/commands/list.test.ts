import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CLI, PINNED_ENV, fixture, runCli } from '../helpers/cli.js';
import { helpFlags } from '../helpers/option-coverage.js';

const ROUTER = fixture('nat-router/proc_nf_conntrack.txt');
const INSERTED = fixture('inserted/proc_nf_conntrack.txt');
const dir = mkdtempSync(join(tmpdir(), 'ctflow-list-'));

interface Row { protocol: string; state: string | null; original: { src: string; sport: number | null; dport: number | null }; bytes_total: number | null; timeout: number | null; mark: number; zone: number; nat: string | null }

async function listJson(args: string[]): Promise<Row[]> {
  const r = await runCli(['list', '--json', ...args]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return JSON.parse(r.stdout) as Row[];
}

describe('ctflow list filters, each in every spelling', () => {
  const cases: [string[], number][] = [
    [['-p', 'tcp'], 21], [['--proto', 'udp'], 7], [['--proto', '58'], 2],
    [['--state', 'TIME_WAIT'], 8], [['--state', 'established,close_wait'], 6],
    [['-s', '10.1.0.2'], 25], [['--src', '10.1.0.0/24'], 25],
    [['-d', '10.2.0.3'], 2], [['--dst', 'fd00:a2::/64'], 8],
    [['-r', '10.2.0.2'], 22], [['--reply-src', '10.2.0.2'], 22],
    [['-q', '10.2.0.0/16'], 24], [['--reply-dst', '10.2.0.0/16'], 24],
    [['--sport', '43426'], 1], [['--dport', '80'], 3],
    [['--reply-port-src', '80'], 4], [['--reply-port-dst', '58518'], 1], [['--port', '53'], 3],
    [['-m', '23552'], 4], [['--mark', '0x2a/0xff'], 1],
    [['-w', '42'], 1], [['--zone', '42'], 1],
    [['-u', 'UNREPLIED'], 6], [['--status', 'assured'], 19],
    [['--snat'], 31], [['--dnat'], 6], [['--nat'], 31],
    [['-f', 'ipv6'], 8], [['--family', 'ipv4'], 26],
  ];
  for (const [args, n] of cases) {
    it(`${args.join(' ')} keeps ${n} of 34`, async () => {
      assert.equal((await listJson(['--file', ROUTER, ...args])).length, n);
    });
  }
});

describe('ctflow list order, limit and formats', () => {
  it('sorts by bytes by default, and by any key with --sort, -KEY and --reverse', async () => {
    assert.deepEqual((await listJson(['--file', ROUTER, '--limit', '3'])).map((r) => r.bytes_total), [66983, 21123, 21123]);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', '-bytes', '--limit', '2'])).map((r) => r.bytes_total), [60, 80]);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'bytes', '--reverse', '--limit', '2'])).map((r) => r.bytes_total), [60, 80]);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'sport', '-p', 'tcp', '--limit', '2'])).map((r) => r.original.sport), [34248, 34494]);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'dport', '-p', 'udp', '--limit', '1'])).map((r) => r.original.dport), [53]);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'src', '--limit', '1'])).map((r) => r.original.src), ['10.1.0.2']);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'proto', '--limit', '1'])).map((r) => r.protocol), ['icmp']);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'state', '-p', 'tcp', '--limit', '1'])).map((r) => r.state), ['CLOSE']);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'packets', '--limit', '1'])).map((r) => r.bytes_total), [2044]);
    assert.deepEqual((await listJson(['--file', ROUTER, '--sort', 'dst', '-f', 'ipv4', '--limit', '1'])).map((r) => r.original.src), ['10.1.0.2']);
    // no accounting: the longest timeout first
    assert.deepEqual((await listJson(['--file', INSERTED, '--limit', '1'])).map((r) => r.timeout), [7199]);
    assert.deepEqual((await listJson(['--file', INSERTED, '--sort', 'timeout', '--limit', '1'])).map((r) => r.timeout), [7199]);
  });

  it('prints NDJSON, CSV and a table', async () => {
    const nd = await runCli(['list', '--ndjson', '--file', ROUTER, '-p', 'icmp']);
    assert.equal(nd.stdout.trim().split('\n').length, 4);
    assert.equal((JSON.parse(nd.stdout.split('\n')[0]!) as Row).protocol, 'icmp');
    const csv = await runCli(['list', '--csv', '--file', ROUTER, '--sport', '43426']);
    assert.equal(
      csv.stdout,
      'family,protocol,state,timeout,src,dst,sport,dport,packets,bytes,reply_src,reply_dst,reply_sport,reply_dport,reply_packets,reply_bytes,assured,unreplied,offload,mark,zone,nat,packets_total,bytes_total\n' +
        'ipv4,udp,,116,10.1.0.2,10.2.0.2,43426,53,2,140,10.2.0.2,10.2.0.1,53,43426,2,140,true,false,false,1,0,snat,4,280\n',
    );
    const table = await runCli(['list', '--file', ROUTER, '--sport', '43426', '--no-color', '--wide']);
    assert.match(table.stdout, /│ udp\s+│\s+│ 10\.1\.0\.2:43426 │ → │ 10\.2\.0\.2:53 +│ 10\.2\.0\.2:53 → 10\.2\.0\.1:43426 │ +4 │ +280 B │ +1m56s │ A m=1 +│/);
    assert.doesNotMatch(table.stdout, /\u001b\[/);
    const forced = await runCli(['list', '--file', ROUTER, '--limit', '1'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\u001b\[/);
    const noColor = await runCli(['list', '--file', ROUTER, '--limit', '1', '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.doesNotMatch(noColor.stdout, /\u001b\[/);
  });

  it('writes the documented JSON record', async () => {
    const [r] = await listJson(['--file', fixture('nat-router/conntrack_L_o_ktimestamp.txt'), '--dport', '21']);
    assert.deepEqual(r, {
      family: 'ipv4', protocol: 'tcp', protonum: 6, state: 'ESTABLISHED', timeout: 431994,
      original: { src: '10.1.0.2', dst: '10.1.0.1', sport: 37982, dport: 21, icmp_type: null, icmp_code: null, icmp_id: null, gre_srckey: null, gre_dstkey: null, packets: 17, bytes: 990, zone: null },
      reply: { src: '10.2.0.2', dst: '10.2.0.1', sport: 21, dport: 37982, icmp_type: null, icmp_code: null, icmp_id: null, gre_srckey: null, gre_dstkey: null, packets: 14, bytes: 1054, zone: null },
      assured: true, unreplied: false, offload: false, hw_offload: false, mark: 0, zone: 0, secctx: null, use: 3, id: null,
      labels: null, helper: 'ftp', delta_time: 6, start: 'Tue Nov 24 09:24:44 2026', stop: null,
      packets_total: 31, bytes_total: 2044, nat: 'both', extra: null,
    });
  });
});

describe('ctflow list sources', () => {
  it('reads stdin with --stdin and with --file -, gzip included', async () => {
    const text = readFileSync(ROUTER);
    for (const args of [['--stdin'], ['--file', '-']]) {
      const r = await runCli(['list', '--json', ...args], { stdin: text });
      assert.equal((JSON.parse(r.stdout) as unknown[]).length, 34);
    }
    const gz = await runCli(['list', '--json', '--stdin'], { stdin: gzipSync(text) });
    assert.equal((JSON.parse(gz.stdout) as unknown[]).length, 34);
  });

  it('gives the same NDJSON from a multi-megabyte pipe, a file on stdin and --file, plain and gzip', async () => {
    // > 1 MB so stdin is read in several chunks whose lines straddle them
    const lines = readFileSync(ROUTER, 'latin1').split('\n').filter((l) => l !== '');
    let text = '';
    for (let i = 0; text.length < 3_000_000; i++) text += `${lines[i % lines.length]}\n`;
    const file = join(dir, 'big.txt');
    writeFileSync(file, text, 'latin1');
    const want = await runCli(['list', '--ndjson', '--file', file]);
    assert.equal(want.stdout.split('\n').length - 1, text.split('\n').length - 1);
    const piped = await runCli(['list', '--ndjson', '--stdin'], { stdin: Buffer.from(text, 'latin1') });
    assert.equal(piped.stdout, want.stdout);
    const gz = await runCli(['list', '--ndjson', '--stdin'], { stdin: gzipSync(Buffer.from(text, 'latin1')) });
    assert.equal(gz.stdout, want.stdout);
    // fd 0 a regular file (`ctflow list --stdin < T`)
    const redirected = spawnSync(process.execPath, [CLI, 'list', '--ndjson', '--stdin'], {
      stdio: [openSync(file, 'r'), 'pipe', 'pipe'], env: PINNED_ENV, maxBuffer: 1 << 30, encoding: 'utf8',
    });
    assert.deepStrictEqual([redirected.status, redirected.stderr], [0, '']);
    assert.equal(redirected.stdout, want.stdout);
  });

  it('runs conntrack -L -o extended with --exec and --conntrack-bin, passing -f', async () => {
    const fake = join(dir, 'conntrack');
    writeFileSync(fake, `#!/bin/sh\necho "$@" > ${join(dir, 'argv')}\ncat ${fixture('nat-router/conntrack_L_o_extended.txt')}\necho "conntrack v1.4.7 (conntrack-tools): 34 flow entries have been shown." >&2\n`);
    chmodSync(fake, 0o755);
    const r = await runCli(['list', '--json', '--exec', '--conntrack-bin', fake, '-f', 'ipv6']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 8);
    assert.equal(readFileSync(join(dir, 'argv'), 'utf8'), '-L -o extended -f ipv6\n');
    // the same through PATH
    const viaPath = await runCli(['list', '--json', '--exec'], { env: { PATH: `${dir}:${process.env.PATH}` } });
    assert.equal((JSON.parse(viaPath.stdout) as unknown[]).length, 34);
  });

  it('says when conntrack is missing or fails', async () => {
    const missing = await runCli(['list', '--exec'], { env: { PATH: dir + '/nothing' } });
    assert.equal(missing.stderr, 'ctflow: cannot run conntrack: not found; install conntrack-tools (apt-get install conntrack), or name the binary with --conntrack-bin\n');
    assert.equal(missing.code, 1);
    const failing = join(dir, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "conntrack v1.4.7 (conntrack-tools): Operation not permitted" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    const r = await runCli(['list', '--exec', '--conntrack-bin', failing]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ctflow: .*failing -L -o extended was refused: conntrack v1\.4\.7 \(conntrack-tools\): Operation not permitted; run as root\n$/);
  });

  it('reports skipped lines once on stderr, and --strict makes the first fatal', async () => {
    const path = join(dir, 'mixed.txt');
    writeFileSync(path, `junk\n${readFileSync(ROUTER, 'latin1')}more junk\n`);
    const r = await runCli(['list', '--json', '--file', path]);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 34);
    assert.equal(r.stderr, 'ctflow: skipped 2 unparseable lines (first at line 1)\n');
    const strict = await runCli(['list', '--json', '--file', path, '--strict']);
    assert.equal(strict.code, 1);
    assert.equal(strict.stderr, 'ctflow: line 1 is not a conntrack entry: "junk"\n');
  });
});

describe('ctflow list errors and pipes', () => {
  it('exits 2 with one sentence for bad values and unknown options', async () => {
    const cases: [string[], string][] = [
      [['--dport', '70000'], 'ctflow: --dport: a port must be a number from 0 to 65535, got "70000"\n'],
      [['-s', '10.0.0.0/40'], 'ctflow: --src: prefix length must be 0-32, got "10.0.0.0/40"\n'],
      [['-p', 'tcpx'], 'ctflow: --proto: unknown protocol, expected one of icmp, tcp, udp, dccp, gre, esp, ah, icmpv6, sctp, udplite or a number 0-255, got "tcpx"\n'],
      [['--limit', 'ten'], 'ctflow: --limit: expected a whole number ≥ 0, got "ten"\n'],
      [['--sort', 'colour'], 'ctflow: --sort: expected one of bytes, packets, timeout, src, dst, sport, dport, proto, state, none (prefix - to reverse), got "colour"\n'],
      [['--frobnicate'], "ctflow: unknown option '--frobnicate'\n"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['list', '--file', ROUTER, ...args]);
      assert.equal(r.stderr, message, args.join(' '));
      assert.equal(r.code, 2, args.join(' '));
    }
  });

  it('exits 1 with the path and reason for an unreadable source', async () => {
    const r = await runCli(['list', '--file', join(dir, 'nope.txt')]);
    assert.equal(r.stderr, `ctflow: cannot read ${join(dir, 'nope.txt')}: no such file\n`);
    assert.equal(r.code, 1);
  });

  it('exits 0 quietly when the reader of stdout goes away (| head -1)', async () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, readFileSync(ROUTER, 'latin1').repeat(3000));
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" list --ndjson --file "${big}" | head -1`], { env: PINNED_ENV });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.split('\n').length, 2);
  });

  it('lists exactly these options in --help (npm test checks each is passed by a test)', async () => {
    const r = await runCli(['list', '--help']);
    assert.equal(r.code, 0);
    assert.deepStrictEqual(helpFlags(r.stdout), [
      '--file', '--stdin', '--exec', '--conntrack-bin', '--strict',
      '-p', '--proto', '--state', '-s', '--src', '-d', '--dst', '-r', '--reply-src', '-q', '--reply-dst', '--sport', '--dport',
      '--reply-port-src', '--reply-port-dst', '--port', '-m', '--mark', '-w', '--zone', '-u', '--status', '--snat', '--dnat', '--nat',
      '-f', '--family', '--src-zone', '--dst-zone',
      '--sort', '--reverse', '--limit',
      '--json', '--ndjson', '--csv', '--no-color', '-n', '--numeric', '--wide', '-x', '--exact', '-z', '--zones', '--mark-map', '--processes',
    ]);
    // the Flags column's codes, explained after the options
    assert.match(r.stdout, /\n\nFlags column:\n {2}A assured \(traffic seen both ways; kept when the table is full\), U unreplied \(no reply yet\),\n {2}O offloaded to the flowtable, H offloaded to hardware, m=MARK connmark/);
  });
});

describe('ctflow list without permission to read the kernel table', () => {
  const nobodyCanRun = (): boolean =>
    spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(CLI)}, 4)`], { uid: 65534, gid: 65534, cwd: '/' }).status === 0;
  const why = process.getuid?.() !== 0
    ? 'needs root to start ctflow as an unprivileged user'
    : !nobodyCanRun() ? 'the checkout is not readable by user nobody' : undefined;
  it('says so in one sentence and suggests sudo or --stdin (exit 1)', { skip: why }, async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // as nobody: opening /proc/net/nf_conntrack (root-only) fails before anything is read
      const child = spawn(process.execPath, [CLI, 'list'], { env: PINNED_ENV, uid: 65534, gid: 65534, cwd: '/' });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(r.stderr, 'ctflow: cannot read /proc/net/nf_conntrack: permission denied; run as root (sudo ctflow …), or pipe the table in: sudo cat /proc/net/nf_conntrack | ctflow --stdin\n');
    assert.equal(r.code, 1);
  });
});

it('--ndjson from a pipe streams: the first records come out while the producer is still writing', async () => {
  const { startCli, waitFor } = await import('../helpers/live.js');
  const lines = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'), 'latin1').split('\n').filter(Boolean);
  const run = startCli(['list', '--ndjson', '--stdin']);
  try {
    run.child.stdin!.write(`${lines.slice(0, 2).join('\n')}\n`);
    // the producer is quiet now, with its pipe open: both records must already be out
    await waitFor('the first two records', () => (run.stdout().split('\n').length === 3 ? true : undefined), 10_000);
  } catch (err) {
    run.child.kill();
    throw err;
  }
  run.child.stdin!.end(`${lines.slice(2).join('\n')}\n`);
  const end = await run.exited;
  assert.deepStrictEqual([end.code, run.stderr(), run.stdout().split('\n').length - 1], [0, '', lines.length]);
});

describe('ctflow list --sort none: the table\'s own order, written as it is read', () => {
  const ndjsonLines = async (args: string[]): Promise<string[]> => {
    const r = await runCli(['list', '--ndjson', '--file', ROUTER, ...args]);
    assert.deepStrictEqual([r.code, r.stderr], [0, '']);
    return r.stdout.split('\n').filter(Boolean);
  };

  it('keeps the order of the table in JSON, NDJSON and CSV (NDJSON without --sort is that order too)', async () => {
    const inOrder = await ndjsonLines([]);
    assert.equal(inOrder.length, 34);
    const sports = inOrder.map((l) => (JSON.parse(l) as Row).original.sport);
    assert.deepStrictEqual(await ndjsonLines(['--sort', 'none']), inOrder);
    assert.deepStrictEqual((await listJson(['--file', ROUTER, '--sort', 'none'])).map((r) => r.original.sport), sports);
    const csv = await runCli(['list', '--csv', '--sort', 'none', '--file', ROUTER]);
    assert.deepStrictEqual(csv.stdout.split('\n').slice(1, -1).map((l) => l.split(',')[6]).map((p) => (p === '' ? null : Number(p))),
      inOrder.map((l) => { const o = (JSON.parse(l) as { original: { sport: number | null; icmp_type: number | null } }).original; return o.sport ?? o.icmp_type; }));
    // the default order is another one: this is a real difference
    assert.notDeepStrictEqual((await listJson(['--file', ROUTER])).map((r) => r.original.sport), sports);
  });

  it('--reverse (or -none) is the table backwards, and --limit N its first N', async () => {
    const inOrder = await ndjsonLines([]);
    assert.deepStrictEqual(await ndjsonLines(['--sort', 'none', '--reverse']), [...inOrder].reverse());
    assert.deepStrictEqual(await ndjsonLines(['--sort', '-none', '--limit', '2']), [...inOrder].reverse().slice(0, 2));
    assert.deepStrictEqual(await ndjsonLines(['--sort', 'none', '--limit', '3']), inOrder.slice(0, 3));
    assert.deepStrictEqual((await listJson(['--file', ROUTER, '--sort', 'none', '-p', 'icmp'])).map((r) => r.protocol), ['icmp', 'icmp', 'icmp', 'icmp']);
    const empty = await runCli(['list', '--json', '--sort', 'none', '--file', ROUTER, '-p', 'sctp', '-f', 'ipv4', '--dport', '1']);
    assert.deepStrictEqual([empty.code, empty.stdout], [0, '[]\n']);
  });

  it('prints the table in table order with one row per connection', async () => {
    const r = await runCli(['list', '--sort', 'none', '--no-color', '--wide', '--file', ROUTER]);
    assert.deepStrictEqual([r.code, r.stderr], [0, '34 connections from 34 entries\n']);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('│ ') && !l.startsWith('│ Proto'));
    const first = JSON.parse((await ndjsonLines(['--limit', '1']))[0]!) as Row;
    assert.equal(rows.length, 34);
    assert.match(rows[0]!, new RegExp(`│ ${first.protocol} .*${first.original.src.replace(/\./g, '\\.')}:${first.original.sport}`));
  });

  it('a streamed table that matches nothing says so in one line instead of an empty box', async () => {
    const r = await runCli(['list', '--sort', 'none', '--no-color', '--file', ROUTER, '-p', 'sctp']);
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, 'no connections: none of the 34 entries matches the filters\n', '0 connections from 34 entries\n']);
  });

  it('--json from a pipe streams its array: the first records come out while the producer is still writing', async () => {
    const { startCli, waitFor } = await import('../helpers/live.js');
    const lines = readFileSync(ROUTER, 'latin1').split('\n').filter(Boolean);
    const run = startCli(['list', '--json', '--sort', 'none', '--stdin']);
    try {
      run.child.stdin!.write(`${lines.slice(0, 2).join('\n')}\n`);
      await waitFor('the first two records', () => (run.stdout().split('\n').length === 3 ? true : undefined), 10_000);
      assert.equal(run.stdout().slice(0, 3), '[\n{');
    } catch (err) {
      run.child.kill();
      throw err;
    }
    run.child.stdin!.end(`${lines.slice(2).join('\n')}\n`);
    const end = await run.exited;
    assert.deepStrictEqual([end.code, run.stderr(), (JSON.parse(run.stdout()) as unknown[]).length], [0, '', lines.length]);
  });
});
