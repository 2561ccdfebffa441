// flows --graph on the real captures: the DOT and Mermaid text asserted exactly, an SVG drawn by
// Graphviz (@viz-js/viz) checked for its nodes, and the option's usage errors.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HostFlow } from '../../src/aggregate/host-flows.js';
import { flowGraph, renderDot, renderMermaid } from '../../src/render/flow-graph.js';
import { fixture, ROOT, runCli } from '../helpers/cli.js';

const HOST = ['--file', fixture('local-host/proc_nf_conntrack.txt'), '--local', '127.0.0.1,::1,10.3.0.10,fd00:a3::10,fe80::42b:43ff:fe9c:1de9'];
const ROUTER = ['--file', fixture('nat-router/proc_nf_conntrack.txt'), '--local', '127.0.0.1,::1,10.1.0.1,fd00:a1::1,10.2.0.1,fd00:a2::1'];

async function graph(args: string[]): Promise<string> {
  const r = await runCli(['flows', '-n', ...args]);
  assert.deepStrictEqual([r.code, r.stderr], [0, '']);
  return r.stdout;
}

describe('flows --graph dot|mermaid', () => {
  it('dot: the local host in the middle, passive peers into it, active peers out of it, local flows as loops', async () => {
    assert.equal(await graph([...HOST, '--graph', 'dot']), [
      'digraph ctflow {',
      '  rankdir=LR;',
      '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
      '  edge [fontname="Helvetica", fontsize=9];',
      '  host [label="this host\\n10.3.0.10\\nfd00:a3::10\\n127.0.0.1\\n::1", shape=box, style="rounded,bold,filled", fillcolor="#e8f0fe"];',
      '  subgraph cluster_passive {',
      '    label="passive: peers connect in"; style=dashed; color="#999999"; fontname="Helvetica"; fontsize=10;',
      '    p1 [label="10.3.0.21"];',
      '    p2 [label="10.3.0.22"];',
      '    p3 [label="10.3.0.23"];',
      '    p4 [label="fd00:a3::21"];',
      '  }',
      '  subgraph cluster_active {',
      '    label="active: this host connects out"; style=dashed; color="#999999"; fontname="Helvetica"; fontsize=10;',
      '    a1 [label="10.3.0.22"];',
      '    a2 [label="10.3.0.21"];',
      '    a3 [label="10.3.0.23"];',
      '    a4 [label="fd00:a3::21"];',
      '  }',
      '  p1 -> host [label="icmp echo-request\\n1 conn, no counters"];',
      '  p1 -> host [label="tcp/22\\n1 conn, no counters"];',
      '  p2 -> host [label="tcp/22\\n1 conn, no counters"];',
      '  p3 -> host [label="tcp/80\\n1 conn, no counters"];',
      '  p1 -> host [label="tcp/443\\n1 conn, no counters"];',
      '  p2 -> host [label="tcp/40001\\n1 conn, no counters"];',
      '  p4 -> host [label="tcp6/443\\n1 conn, no counters"];',
      '  p3 -> host [label="udp/53\\n1 conn, no counters"];',
      '  p4 -> host [label="icmpv6 echo-request\\n1 conn, no counters"];',
      '  host -> a1 [label="icmp echo-request\\n1 conn, no counters"];',
      '  host -> a2 [label="tcp/443\\n1 conn, no counters"];',
      '  host -> a2 [label="tcp/2049\\n1 conn, no counters"];',
      '  host -> a1 [label="tcp/9\\n1 conn, no counters"];',
      '  host -> a1 [label="tcp/5432\\n1 conn, no counters"];',
      '  host -> a3 [label="tcp/8080\\n1 conn, no counters"];',
      '  host -> a4 [label="tcp6/443\\n1 conn, no counters"];',
      '  host -> a2 [label="udp/123\\n1 conn, no counters"];',
      '  host -> host [label="tcp/80 local\\n1 conn, no counters"];',
      '  host -> host [label="tcp/6379 local\\n1 conn, no counters"];',
      '  host -> host [label="tcp6/443 local\\n1 conn, no counters"];',
      '}',
      '',
    ].join('\n'));
  });

  it('mermaid: a router\'s forwarded pairs (dashed, DNAT targets named), top 20 by bytes by default', async () => {
    const text = await graph([...ROUTER, '--graph', 'mermaid']);
    assert.equal(text, [
      'flowchart LR',
      '  host("this host<br/>10.1.0.1")',
      '  subgraph passive["passive: peers connect in"]',
      '    p1["10.1.0.2"]',
      '  end',
      '  subgraph forward["forwarded: routed through this host"]',
      '    f1["10.1.0.2"]',
      '    f2["10.2.0.2"]',
      '    f3["fd00:a1::2"]',
      '    f4["fd00:a2::2"]',
      '  end',
      '  f1 -.->|"tcp/80<br/>2 conns, 68 KiB"| f2',
      '  f1 -.->|"tcp/8000<br/>2 conns, 23 KiB"| f2',
      '  f1 -.->|"tcp/80<br/>DNAT from 10.1.0.1:8080<br/>1 conn, 21 KiB"| f2',
      '  f1 -.->|"tcp/39027<br/>DNAT from 10.1.0.1:39027<br/>1 conn, 11 KiB"| f2',
      '  f1 -.->|"tcp/7008<br/>1 conn, 4.3 KiB"| f2',
      '  f3 -.->|"tcp6/80<br/>1 conn, 2.3 KiB"| f4',
      '  f1 -.->|"tcp/7006<br/>1 conn, 2.3 KiB"| f2',
      '  f3 -.->|"tcp6/7006<br/>1 conn, 2.1 KiB"| f4',
      '  f1 -.->|"tcp/22<br/>DNAT from 10.1.0.1:2222<br/>1 conn, 2.1 KiB"| f2',
      '  f1 -.->|"tcp/21<br/>DNAT from 10.1.0.1:21<br/>1 conn, 2.0 KiB"| f2',
      '  f1 -.->|"tcp/7004<br/>1 conn, 983 B"| f2',
      '  f1 -.->|"tcp/7005<br/>1 conn, 676 B"| f2',
      '  f1 -.->|"icmp echo-request<br/>1 conn, 504 B"| f2',
      '  f1 -.->|"tcp/35625<br/>DNAT from 10.1.0.1:35625<br/>1 conn, 482 B"| f2',
      '  p1 -->|"tcp/2200<br/>1 conn, 456 B"| host',
      '  f3 -.->|"icmpv6 echo-request<br/>1 conn, 416 B"| f4',
      '  f3 -.->|"tcp6/7003<br/>1 conn, 304 B"| f4',
      '  f1 -.->|"udp/53<br/>1 conn, 280 B"| f2',
      '  f1 -.->|"tcp/7003<br/>1 conn, 224 B"| f2',
      '  f3 -.->|"udp6/53<br/>1 conn, 200 B"| f4',
      '',
    ].join('\n'));
    // the table has 32 flows with this --local: --limit draws more, or fewer
    const edges = async (extra: string[]): Promise<number> => (await graph([...ROUTER, '--graph', 'mermaid', ...extra])).split('\n').filter((l) => l.includes('->|')).length;
    assert.deepStrictEqual([await edges(['--limit', '100']), await edges(['--limit', '3'])], [32, 3]);
  });

  it('names from reverse DNS go above the address; quotes and backslashes are escaped', () => {
    const flow: HostFlow = {
      direction: 'active', protocol: 'tcp', protonum: 6, family: 'ipv4', local: { addr: '10.0.0.1', port: 'many' }, peer: { addr: '10.0.0.2', port: 443 },
      natTarget: undefined, connections: 3, inPackets: 10, inBytes: 2048, outPackets: 5, outBytes: 1024, counted: 3,
    };
    const g = flowGraph([flow], new Map([['10.0.0.2', 'we"b\\1']]));
    assert.equal(renderDot(g).split('\n').filter((l) => l.includes('a1')).join('\n'), [
      '    a1 [label="we\\"b\\\\1\\n10.0.0.2"];',
      '  host -> a1 [label="tcp/443\\n3 conns, 3.0 KiB"];',
    ].join('\n'));
    assert.equal(renderMermaid(g).split('\n').filter((l) => l.includes('a1')).join('\n'), [
      '    a1["we#quot;b\\1<br/>10.0.0.2"]',
      '  host -->|"tcp/443<br/>3 conns, 3.0 KiB"| a1',
    ].join('\n'));
  });
});

/** Where @viz-js/viz is, or undefined when it is not installed (a checkout before `npm install`). */
function vizInstalled(): string | undefined {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('@viz-js/viz');
  } catch {
    return undefined;
  }
}

describe('flows --graph svg (Graphviz as WebAssembly, loaded only for it)', () => {
  const viz = vizInstalled();
  it('draws every node and edge label of the DOT text', { skip: viz === undefined ? 'needs @viz-js/viz installed (npm install)' : false }, async () => {
    const svg = await graph([...ROUTER, '--graph', 'svg', '--limit', '8']);
    assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8" standalone="no"\?>\n/);
    assert.match(svg, /<\/svg>\n$/);
    // Graphviz names each node's and cluster's group by its id, and writes each label line as a <text>
    assert.deepStrictEqual([...svg.matchAll(/<g id="node\d+" class="node">\n<title>([^<]+)<\/title>/g)].map((m) => m[1]), ['host', 'f1', 'f2', 'f3', 'f4']);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const t of ['this host', 'forwarded: routed through this host', '10.1.0.2', '10.2.0.2', 'fd00:a1::2', 'fd00:a2::2', 'DNAT from 10.1.0.1:8080', '2 conns, 68 KiB']) {
      assert.ok(texts.includes(t), `${t} in ${JSON.stringify(texts)}`);
    }
    assert.equal([...svg.matchAll(/class="edge"/g)].length, 8);
  });
  it('says how to get the renderer when it is missing (exit 1, one sentence)', async () => {
    // the loader's test hook (render/flow-graph-svg.ts) names a package that is never installed
    const r = await runCli(['flows', '-n', ...ROUTER, '--graph', 'svg'], { env: { CTFLOW_VIZ_MODULE: '@viz-js/absent-for-this-test' } });
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [1, '', 'ctflow: --graph svg: needs the @viz-js/viz package (npm install @viz-js/viz), got none installed\n']);
  });
});

describe('flows --graph usage errors (exit 2, one sentence)', () => {
  const cases: [string[], string][] = [
    [['--graph', 'png'], 'ctflow: --graph: expected one of dot, mermaid, svg, got "png"\n'],
    [['--graph', 'dot', '--json'], 'ctflow: --graph: draws instead of a table, so it takes no --json, got both\n'],
    [['--graph', 'mermaid', '--csv'], 'ctflow: --graph: draws instead of a table, so it takes no --csv, got both\n'],
  ];
  for (const [args, stderr] of cases) {
    it(args.join(' '), async () => {
      const r = await runCli(['flows', ...ROUTER, ...args]);
      assert.deepStrictEqual([r.code, r.stdout, r.stderr], [2, '', stderr]);
    });
  }
});
