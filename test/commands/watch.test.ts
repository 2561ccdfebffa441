import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventArgv } from '../../src/kernel/event-stream.js';
import { parseEventMask, splitExecArgs } from '../../src/commands/watch.js';
import { fixture, runCli } from '../helpers/cli.js';
import { alive, childProcesses, hasSocket, startCli, tcpExchange, trackConnections, waitFor } from '../helpers/live.js';
import { createNetns, deleteNetns, inNetns, netnsUnavailable } from '../helpers/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-watch-'));
const EVENTS = fixture('nat-router/events_E.txt');
const STAMPED = fixture('nat-router/events_E_o_timestamp.txt');
const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);

/** A stand-in for conntrack: records its argv, prints the capture and one ENOBUFS warning, then waits. */
function fakeConntrack(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${path}.argv"\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('watch option values', () => {
  it('reads an event mask in any case, ALL meaning every type, in conntrack order', () => {
    assert.deepStrictEqual(parseEventMask('destroy,NEW'), ['new', 'destroy']);
    assert.deepStrictEqual(parseEventMask('ALL'), ['new', 'update', 'destroy']);
    assert.throws(() => parseEventMask('NEW,MOVED'), /--event-mask: expected NEW, UPDATE, DESTROY or ALL/);
  });

  it('splits --exec-args on blanks, never through a shell', () => {
    assert.deepStrictEqual(splitExecArgs('  -f ipv6   --zone 3 '), ['-f', 'ipv6', '--zone', '3']);
    assert.deepStrictEqual(splitExecArgs('$(reboot)'), ['$(reboot)']);
  });

  it('builds the conntrack argv: -E -o timestamp, then -e, -b, then the passthrough', () => {
    assert.deepStrictEqual(eventArgv({}), ['-E', '-o', 'timestamp']);
    assert.deepStrictEqual(
      eventArgv({ eventMask: ['new', 'destroy'], bufferSize: 4194304, execArgs: ['-f', 'ipv6'] }),
      ['-E', '-o', 'timestamp', '-e', 'NEW,DESTROY', '-b', '4194304', '-f', 'ipv6'],
    );
  });
});

describe('ctflow watch on saved event text', () => {
  it('prints one line per event of a capture and a summary on stderr', async () => {
    const r = await runCli(['watch', '--file', STAMPED]);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 31);
    assert.equal(lines[0], '09:24:51.122787 NEW     tcp  SYN_SENT    10.1.0.2:38670 -> 10.2.0.2:80 snat 10.2.0.1:38670 [UNREPLIED] mark=23552');
    assert.equal(
      lines[30],
      '09:24:54.963280 DESTROY tcp  CLOSE       10.1.0.2:55340 -> 10.2.0.2:7008 snat 10.2.0.1:55340 5/368 B 3/3.1 KiB [ASSURED] by portid 3103049334',
    );
    assert.equal(r.stderr, 'ctflow: 31 events seen (7 new, 21 update, 3 destroy), 31 shown, 0 losses reported by conntrack (ENOBUFS)\n');
  });

  it('applies list filters: -s, --dport, -p', async () => {
    const r = await runCli(['watch', '--file', EVENTS, '--ndjson', '-p', 'tcp', '--dport', '7008']);
    const events = ndjson(r.stdout);
    assert.deepStrictEqual(events.map((e) => [e.event, e.conn.state]), [
      ['new', 'SYN_SENT'], ['update', 'SYN_RECV'], ['update', 'ESTABLISHED'], ['update', 'CLOSE'], ['destroy', 'CLOSE'],
    ]);
    const icmp = await runCli(['watch', '--file', EVENTS, '--ndjson', '-s', '10.1.0.0/24', '--proto', 'icmp']);
    assert.deepStrictEqual(ndjson(icmp.stdout).map((e) => [e.event, e.conn.original.icmp_id]), [['new', 11725], ['update', 11725], ['destroy', 11725]]);
  });

  it('applies every list filter, in each spelling, to the events', async () => {
    // [filter, events of the 31 in the capture that pass it]
    const cases: Array<[string[], number]> = [
      [['-p', 'udp'], 5], [['--proto', 'icmp'], 3],
      [['--state', 'ESTABLISHED,CLOSE'], 6],
      [['-s', '10.1.0.2'], 31], [['--src', '10.1.0.0/16'], 31],
      [['-d', '10.1.0.1'], 12], [['--dst', '10.2.0.2'], 19],
      [['-r', '10.2.0.2'], 31], [['--reply-src', '10.2.0.0/24'], 31],
      [['-q', '10.2.0.1'], 31], [['--reply-dst', '10.2.0.1/32'], 31],
      [['--sport', '38670'], 6], [['--dport', '21'], 6],
      [['--reply-port-src', '41493'], 6], [['--reply-port-dst', '40123'], 5],
      [['--port', '123'], 5],
      [['-m', '23552'], 6], [['--mark', '0x5c00/0xff00'], 6],
      [['-w', '0'], 31], [['--zone', '0'], 31],
      [['-u', 'UNREPLIED'], 7], [['--status', 'ASSURED'], 15],
      [['--snat'], 31], [['--dnat'], 12], [['--nat'], 31],
      [['-f', 'ipv4'], 31], [['--family', 'ipv4'], 31],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['watch', '--file', STAMPED, '--ndjson', ...args])));
    cases.forEach(([args, expected], i) => {
      assert.equal(ndjson(results[i]!.stdout).length, expected, args.join(' '));
    });
  });

  it('keeps only the masked event types with -e / --event-mask', async () => {
    for (const flag of ['-e', '--event-mask']) {
      const r = await runCli(['watch', '--file', EVENTS, '--ndjson', flag, 'DESTROY']);
      assert.deepStrictEqual(ndjson(r.stdout).map((e) => [e.event, e.conn.protocol, e.userspace]), [
        ['destroy', 'udp', null], ['destroy', 'icmp', null], ['destroy', 'tcp', { portid: 3103049334, progname: null }],
      ]);
      assert.equal(r.stderr, 'ctflow: 3 events seen (0 new, 0 update, 3 destroy), 3 shown, 0 losses reported by conntrack (ENOBUFS)\n');
    }
  });

  it('writes NDJSON with the event, its time and the connection as list --json has it', async () => {
    const r = await runCli(['watch', '--file', STAMPED, '--ndjson', '--count', '1']);
    const [e] = ndjson(r.stdout);
    assert.deepStrictEqual([e!.event, e!.time, e!.conn.original.sport, e!.conn.reply.dst, e!.conn.mark, e!.conn.nat], ['new', 1795512291.122787, 38670, '10.2.0.1', 23552, 'snat']);
    assert.equal(ndjson(r.stdout).length, 1);
  });

  it('stops after --count N shown events', async () => {
    const r = await runCli(['watch', '--file', EVENTS, '--count', '4', '-p', 'udp']);
    assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 4);
    assert.match(r.stderr, /, 4 shown,/);
  });

  it('reads --stdin and --file - alike', async () => {
    const text = readFileSync(EVENTS);
    const a = await runCli(['watch', '--stdin', '--ndjson'], { stdin: text });
    const b = await runCli(['watch', '--file', '-', '--ndjson'], { stdin: text });
    assert.equal(ndjson(a.stdout).length, 31);
    assert.equal(a.stdout, b.stdout);
  });

  it('ends a live --stdin pipe after --duration, with the events read so far', async () => {
    const run = startCli(['watch', '--stdin', '--ndjson', '--duration', '1']);
    run.child.stdin!.write(readFileSync(EVENTS).subarray(0, 300)); // the first two lines, and the pipe stays open
    assert.deepStrictEqual(await run.exited, { code: 0, signal: null });
    assert.deepStrictEqual(ndjson(run.stdout()).map((e) => e.event), ['new', 'update']);
  });

  it('counts an ENOBUFS warning kept in a capture as lost events, in NDJSON and on stderr', async () => {
    const lines = readFileSync(EVENTS, 'utf8').split('\n');
    lines.splice(2, 0, 'WARNING: We have hit ENOBUFS! We are losing events.', 'This message means that the current netlink socket buffer size is too small.');
    const path = join(dir, 'lossy.txt');
    writeFileSync(path, lines.join('\n'));
    const r = await runCli(['watch', '--file', path, '--ndjson', '--count', '3']);
    const events = ndjson(r.stdout);
    assert.deepStrictEqual(events.map((e) => e.event), ['new', 'update', 'lost', 'update']);
    assert.equal(events[2]!.lost, 1);
    assert.equal(typeof events[2]!.time, 'number');
    assert.equal(
      r.stderr,
      'ctflow: conntrack is losing events (ENOBUFS: its netlink buffer overflowed); a larger --buffer-size helps\n' +
        'ctflow: 3 events seen (1 new, 2 update, 0 destroy), 3 shown, 1 losses reported by conntrack (ENOBUFS)\n',
    );
  });

  it('refuses a bad --event-mask, --count, --duration or --buffer-size with exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['-e', 'MOVED'], 'ctflow: --event-mask: expected NEW, UPDATE, DESTROY or ALL (comma separated), got "MOVED"\n'],
      [['--count', '0'], 'ctflow: --count: expected a whole number ≥ 1, got "0"\n'],
      [['--duration', 'soon'], 'ctflow: --duration: expected a positive number of seconds, got "soon"\n'],
      [['-b', 'big'], 'ctflow: --buffer-size: expected a whole number ≥ 1, got "big"\n'],
      [['--buffer-size', '-1'], 'ctflow: --buffer-size: expected a whole number ≥ 1, got "-1"\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(['watch', '--file', EVENTS, ...args]);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', stderr], args.join(' '));
    }
  });

  it('prints colour only when asked: --no-color wins over FORCE_COLOR', async () => {
    const coloured = await runCli(['watch', '--file', EVENTS, '--count', '1'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(coloured.stdout, /\x1b\[32mNEW/);
    const plain = await runCli(['watch', '--file', EVENTS, '--count', '1', '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.equal(plain.stdout, 'NEW     tcp  SYN_SENT    10.1.0.2:38670 -> 10.2.0.2:80 snat 10.2.0.1:38670 [UNREPLIED] mark=23552\n');
  });
});

describe('ctflow watch running conntrack (a fake one on --conntrack-bin)', () => {
  it('passes -e, -b and --exec-args, reads its events and its ENOBUFS warning, ends after --duration', async () => {
    const bin = fakeConntrack('conntrack-ok', `cat "${STAMPED}"\necho 'WARNING: We have hit ENOBUFS! We are losing events.' >&2\necho 'Please, check --buffer-size in conntrack(8) manpage.' >&2\nexec sleep 30`);
    const r = await runCli(['watch', '--conntrack-bin', bin, '--ndjson', '-e', 'NEW,DESTROY', '-b', '2097152', '--exec-args', '-f ipv4', '--duration', '1.5']);
    assert.equal(r.code, 0);
    assert.deepStrictEqual(readFileSync(`${bin}.argv`, 'utf8').split('\n').filter((l) => l !== ''), ['-E', '-o', 'timestamp', '-e', 'NEW,DESTROY', '-b', '2097152', '-f', 'ipv4']);
    const events = ndjson(r.stdout);
    // the fake ignores -e; ctflow applies the mask itself too
    assert.deepStrictEqual(events.filter((e) => e.event !== 'lost').length, 10);
    assert.deepStrictEqual(events.filter((e) => e.event === 'lost').map((e) => e.lost), [1]);
    assert.match(r.stderr, /ctflow: 10 events seen \(7 new, 0 update, 3 destroy\), 10 shown, 1 losses reported by conntrack \(ENOBUFS\)\n$/);
    // the long spelling reaches conntrack the same way
    const long = await runCli(['watch', '--conntrack-bin', bin, '--buffer-size', '65536', '--count', '2']);
    assert.deepStrictEqual([long.code, long.stdout.split('\n').length - 1], [0, 2]);
    assert.deepStrictEqual(readFileSync(`${bin}.argv`, 'utf8').split('\n').filter((l) => l !== ''), ['-E', '-o', 'timestamp', '-b', '65536']);
  });

  it('quotes conntrack when it fails, with exit 1', async () => {
    const bin = fakeConntrack('conntrack-eperm', `echo 'conntrack v1.4.7 (conntrack-tools): Operation not permitted' >&2\nexit 1`);
    const r = await runCli(['watch', '--conntrack-bin', bin]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^ctflow: ${bin} -E -o timestamp failed \\(exit 1\\): conntrack v1\\.4\\.7 \\(conntrack-tools\\): Operation not permitted \\(run as root: sudo ctflow watch\\)\\n`));
  });

  it('says so in one sentence when the conntrack binary does not exist', async () => {
    const r = await runCli(['watch', '--conntrack-bin', join(dir, 'no-such-conntrack')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ctflow: cannot run .*no-such-conntrack: not found; install conntrack-tools/);
  });

  it('a reader that goes away (| head) ends it quietly, and conntrack goes too', async () => {
    // one event now, one a moment later (the write that finds the pipe closed), then a quiet table
    const event = readFileSync(fixture('nat-router/events_E_o_timestamp.txt'), 'utf8').split('\n')[0];
    const bin = fakeConntrack('conntrack-quiet', `printf '%s\\n' '${event}'\nsleep 1\nprintf '%s\\n' '${event}'\nexec sleep 60`);
    const run = startCli(['watch', '--ndjson', '--conntrack-bin', bin]);
    // the script's own process, which ends as `exec sleep 60`
    const kid = await waitFor('the fake conntrack', () => childProcesses(run.pid)[0]);
    await waitFor('the first event', () => (run.stdout().includes('\n') ? true : undefined));
    run.child.stdout!.destroy();
    const end = await run.exited;
    assert.deepStrictEqual([end, run.stderr()], [{ code: 0, signal: null }, '']);
    await waitFor('conntrack to be gone', () => (alive(kid.pid) ? undefined : true));
    assert.equal(alive(kid.pid), false, `conntrack ${kid.pid} is still running`);
  });

  it('ends on SIGTERM with exit 0 and kills the subprocess', async () => {
    const bin = fakeConntrack('conntrack-idle', 'exec sleep 60');
    const run = startCli(['watch', '--conntrack-bin', bin]);
    const kid = await waitFor('the fake conntrack', () => childProcesses(run.pid).find((p) => p.comm === 'sleep'));
    run.child.kill('SIGTERM');
    const end = await run.exited;
    assert.deepStrictEqual(end, { code: 0, signal: null });
    assert.equal(alive(kid.pid), false);
    assert.equal(run.stderr(), 'ctflow: 0 events seen (0 new, 0 update, 0 destroy), 0 shown, 0 losses reported by conntrack (ENOBUFS)\n');
  });
});

describe('ctflow watch in a private network namespace (root)', () => {
  const why = netnsUnavailable() ?? (spawnSync('nft', ['--version']).error ? 'needs nftables (apt-get install nftables) to turn conntrack on in a namespace' : undefined);

  it('sees NEW, UPDATE and DESTROY of a loopback TCP connection, and the filter drops another one', async (t) => {
    if (why) return t.skip(why);
    const ns = createNetns('watch');
    try {
      trackConnections(ns);
      // ended by SIGINT once the DESTROY event is out (a fixed --duration lost it on a loaded machine)
      const run = startCli(['watch', '--ndjson', '--duration', '60', '--dport', '5601'], { netns: ns });
      const kid = await waitFor('conntrack -E to start', () => childProcesses(run.pid).find((p) => p.comm === 'conntrack'));
      await waitFor('conntrack to subscribe to events', () => (hasSocket(kid.pid) ? true : undefined));
      tcpExchange(ns, 5601);
      tcpExchange(ns, 5602);
      // TIME_WAIT lasts two minutes: end both entries now, as an operator would, for the DESTROY events
      inNetns(ns, 'conntrack', ['-D', '-p', 'tcp']);
      await waitFor('the DESTROY event', () => (run.stdout().includes('"event":"destroy"') ? true : undefined));
      run.child.kill('SIGINT');
      const end = await run.exited;
      assert.deepStrictEqual(end, { code: 0, signal: null });
      const events = ndjson(run.stdout());
      const types = new Set(events.map((e) => e.event));
      assert.deepStrictEqual([...types].sort(), ['destroy', 'new', 'update']);
      const client = events[0]!.conn.original.sport as number;
      for (const e of events) {
        assert.deepStrictEqual(
          [e.conn.protocol, e.conn.original.src, e.conn.original.dst, e.conn.original.sport, e.conn.original.dport, e.conn.reply.sport, e.conn.reply.dport],
          ['tcp', '127.0.0.1', '127.0.0.1', client, 5601, 5601, client],
        );
        assert.equal(typeof e.time, 'number');
      }
      assert.deepStrictEqual(events.filter((e) => e.event === 'new').map((e) => e.conn.state), ['SYN_SENT']);
      assert.ok(events.some((e) => e.event === 'update' && e.conn.state === 'ESTABLISHED'));
      const destroy = events.filter((e) => e.event === 'destroy');
      assert.equal(destroy.length, 1);
      assert.equal(typeof destroy[0]!.userspace.portid, 'number'); // conntrack -E names the program only with -o extended
      assert.equal(destroy[0]!.conn.original.bytes > 0, true);
      assert.match(run.stderr(), new RegExp(`^ctflow: \\d+ events seen \\(2 new, \\d+ update, 2 destroy\\), ${events.length} shown, 0 losses`));
    } finally {
      deleteNetns(ns);
    }
  });

  it('SIGINT stops conntrack: exit 0, a summary, and no conntrack process left', async (t) => {
    if (why) return t.skip(why);
    const ns = createNetns('sigint');
    try {
      trackConnections(ns);
      const run = startCli(['watch'], { netns: ns });
      const kid = await waitFor('conntrack -E to start', () => childProcesses(run.pid).find((p) => p.comm === 'conntrack'));
      run.child.kill('SIGINT');
      const end = await run.exited;
      assert.deepStrictEqual(end, { code: 0, signal: null });
      assert.equal(alive(kid.pid), false, `conntrack ${kid.pid} is still running`);
      assert.equal(run.stderr(), 'ctflow: 0 events seen (0 new, 0 update, 0 destroy), 0 shown, 0 losses reported by conntrack (ENOBUFS)\n');
    } finally {
      deleteNetns(ns);
    }
  });
});
