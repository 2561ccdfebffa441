// flows --processes against real servers and clients in private namespaces (never the host's
// table): S (10.77.0.1) runs python's http.server on 0.0.0.0:8123 and a node client of it on
// loopback; C (10.77.0.2) runs a node client of S over a veth pair. Each namespace's ctflow
// must name the pid and comm of the process holding its end, as ss -p would.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { createNetns, deleteNetns, enableConntrack, inNetns, netnsUnavailable } from '../helpers/netns.js';

const skip = netnsUnavailable(true, true) ?? (spawnSync('python3', ['--version']).error ? 'needs python3 (its http.server is the test server)' : undefined);

/** A node client that connects, says "ready" and holds the connection until killed. */
const CLIENT = `const s = require('node:net').connect(Number(process.argv[2]), process.argv[1]);
s.on('connect', () => process.stdout.write('ready\\n'));
s.on('error', (e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });`;

interface Proc { pid: number; comm: string; user: string; container: unknown }
interface Row { direction: string; protocol: string; local: { addr: string; port: unknown }; peer: { addr: string; port: unknown }; process: Proc | Proc[] | null; peer_process?: Proc | Proc[] | null }

describe('flows --processes in private namespaces (real sockets, real conntrack)', { skip }, () => {
  const namespaces: string[] = [];
  const children: ChildProcess[] = [];
  let S = '';
  let C = '';
  let server: ChildProcess;
  let localClient: ChildProcess;
  let remoteClient: ChildProcess;

  /** Start a command in a namespace and wait until it prints a line matching `ready`. */
  const start = async (ns: string, argv: string[], ready: RegExp): Promise<ChildProcess> => {
    // `ip netns exec` execs the command in place, so the child's pid is the process's own
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`${argv.join(' ')} in ${ns} exited with ${code}`)));
      lines.on('line', (line) => ready.test(line) && resolve());
    });
    return child;
  };

  before(async () => {
    S = createNetns('ps');
    namespaces.push(S);
    C = createNetns('pc');
    namespaces.push(C);
    inNetns(S, 'ip', ['link', 'add', 'ps0', 'type', 'veth', 'peer', 'name', 'pc0', 'netns', C]);
    inNetns(S, 'ip', ['addr', 'add', '10.77.0.1/24', 'dev', 'ps0']);
    inNetns(C, 'ip', ['addr', 'add', '10.77.0.2/24', 'dev', 'pc0']);
    inNetns(S, 'ip', ['link', 'set', 'ps0', 'up']);
    inNetns(C, 'ip', ['link', 'set', 'pc0', 'up']);
    enableConntrack(S);
    enableConntrack(C);
    server = await start(S, ['python3', '-u', '-m', 'http.server', '--bind', '0.0.0.0', '8123'], /^Serving HTTP/);
    localClient = await start(S, [process.execPath, '-e', CLIENT, '127.0.0.1', '8123'], /^ready$/);
    remoteClient = await start(C, [process.execPath, '-e', CLIENT, '10.77.0.1', '8123'], /^ready$/);
  });

  after(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of namespaces) deleteNetns(ns);
  });

  const comm = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  const flows = async (ns: string, extra: string[] = []): Promise<Row[]> => {
    const r = await runCli(['flows', '--processes', '--json', '-n', '-p', 'tcp', '--port', '8123', ...extra], { netns: ns });
    assert.deepStrictEqual([r.code, r.stderr], [0, '']);
    return JSON.parse(r.stdout) as Row[];
  };

  it('passive: the server holding 0.0.0.0:8123 (python3), and local: the server and its loopback client (node)', async () => {
    const rows = await flows(S);
    const me = { user: 'root', container: null };
    assert.match(comm(server.pid!), /^python3/);
    assert.deepStrictEqual(rows.map((f) => [f.direction, `${f.local.addr}:${f.local.port}`, `${f.peer.addr}:${f.peer.port}`, f.process, f.peer_process]), [
      ['passive', '10.77.0.1:8123', '10.77.0.2:many', { pid: server.pid, comm: comm(server.pid!), ...me }, undefined],
      ['local', '127.0.0.1:8123', '127.0.0.1:many', { pid: server.pid, comm: comm(server.pid!), ...me }, { pid: localClient.pid, comm: 'node', ...me }],
    ]);
  });

  it('active: the client connected out (node), in the other namespace', async () => {
    const rows = await flows(C);
    assert.deepStrictEqual(rows.map((f) => [f.direction, `${f.local.addr}:${f.local.port}`, `${f.peer.addr}:${f.peer.port}`, f.process]), [
      ['active', '10.77.0.2:many', '10.77.0.1:8123', { pid: remoteClient.pid, comm: 'node', user: 'root', container: null }],
    ]);
  });

  it('list: each connection\'s own end (the loopback one has both: the client and the server, in pid order)', async () => {
    const list = async (ns: string): Promise<[string, unknown][]> => {
      const r = await runCli(['list', '--processes', '--json', '-p', 'tcp', '--port', '8123', '--sort', 'src'], { netns: ns });
      assert.deepStrictEqual([r.code, r.stderr], [0, '']);
      return (JSON.parse(r.stdout) as { original: { src: string; dst: string }; process: unknown }[]).map((c) => [`${c.original.src} -> ${c.original.dst}`, c.process]);
    };
    const me = { user: 'root', container: null };
    const python = { pid: server.pid, comm: comm(server.pid!), ...me };
    const loopback = { pid: localClient.pid, comm: 'node', ...me };
    assert.deepStrictEqual(await list(S), [
      ['10.77.0.2 -> 10.77.0.1', python],
      ['127.0.0.1 -> 127.0.0.1', server.pid! < localClient.pid! ? [python, loopback] : [loopback, python]],
    ]);
    assert.deepStrictEqual(await list(C), [['10.77.0.2 -> 10.77.0.1', { pid: remoteClient.pid, comm: 'node', ...me }]]);
    const table = await runCli(['list', '--processes', '-p', 'tcp', '--port', '8123', '--no-color', '-n', '--wide'], { netns: C });
    assert.equal(table.stdout.split('\n').find((l) => l.includes('10.77.0.1:8123'))!.split('│').map((c) => c.trim()).at(-2), `node[${remoteClient.pid}]`);
    const csv = await runCli(['list', '--processes', '--csv', '-p', 'tcp', '--port', '8123'], { netns: C });
    assert.deepStrictEqual(csv.stdout.trim().split('\n').map((l) => l.split(',').at(-1)), ['process', `node[${remoteClient.pid}]`]);
  });

  it('the table gains a Process column, CSV a process column', async () => {
    const table = await runCli(['flows', '--processes', '-n', '-p', 'tcp', '--port', '8123', '--no-color', '--wide'], { netns: C });
    const row = table.stdout.split('\n').find((l) => l.includes('10.77.0.1:8123'))!;
    assert.equal(row.split('│').map((c) => c.trim()).at(-2), `node[${remoteClient.pid}]`);
    const csv = await runCli(['flows', '--processes', '--csv', '-n', '-p', 'tcp', '--port', '8123'], { netns: S });
    assert.deepStrictEqual(csv.stdout.trim().split('\n').map((l) => l.split(',').at(-1)), [
      'process', `${comm(server.pid!)}[${server.pid}]`, `${comm(server.pid!)}[${server.pid}] ↔ node[${localClient.pid}]`,
    ]);
  });
});

describe('flows --processes needs the live table', () => {
  it('refuses --file and --stdin (exit 2, one sentence)', async () => {
    const file = await runCli(['flows', '--processes', '--file', 'fixtures/kernel/nat-router/proc_nf_conntrack.txt']);
    const stdin = await runCli(['flows', '--processes', '--stdin'], { stdin: '' });
    assert.deepStrictEqual([file.code, file.stdout, file.stderr], [2, '', 'ctflow: --processes: needs the live table (this host\'s sockets now), got --file\n']);
    assert.deepStrictEqual([stdin.code, stdin.stdout, stdin.stderr], [2, '', 'ctflow: --processes: needs the live table (this host\'s sockets now), got --stdin\n']);
    const list = await runCli(['list', '--processes', '--file', 'fixtures/kernel/nat-router/proc_nf_conntrack.txt']);
    assert.deepStrictEqual([list.code, list.stdout, list.stderr], [2, '', 'ctflow: --processes: needs the live table (this host\'s sockets now), got --file\n']);
  });
});
