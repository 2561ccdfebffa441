// `flows --graph dot|mermaid`: the host flows as a picture. This host is the one node in the
// middle; a passive flow is an edge from its peer into the host, an active flow an edge from the
// host out to its peer (left to right, so clients stand left and servers right), a local flow a
// loop on the host, and a forwarded flow a dashed edge between its two ends, drawn to the real
// server with a "DNAT from" line when DNAT rewrote it. Edges say the protocol and service port,
// the connections and the bytes (both ways). Peers are grouped by direction (one box each:
// passive, active, forwarded), one node per address in each, numbered in order of first use, so
// the text is the same on every run for the same table. The caller limits the flows (top N).

import type { HostFlow } from '../aggregate/host-flows.js';
import { flowEndpoint, portText, protocolLabel } from './flows-table.js';
import { humanBytes } from './human.js';

export const GRAPH_FORMATS = ['dot', 'mermaid', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Flows drawn when --limit is not given: more makes a picture nobody reads. */
export const DEFAULT_GRAPH_FLOWS = 20;

/** Host addresses named in the host's node, at most; the rest are counted. */
const HOST_ADDRESSES = 4;

interface GraphNode {
  id: string;
  label: string[];
}

/** The boxes peers are drawn in, in this order; a peer's box is its flow's direction. */
type PeerGroup = 'passive' | 'active' | 'forward';
const GROUPS: readonly { group: PeerGroup; prefix: string; title: string }[] = [
  { group: 'passive', prefix: 'p', title: 'passive: peers connect in' },
  { group: 'active', prefix: 'a', title: 'active: this host connects out' },
  { group: 'forward', prefix: 'f', title: 'forwarded: routed through this host' },
];

interface GraphEdge {
  from: string;
  to: string;
  label: string[];
  forward: boolean;
}

export interface FlowGraph {
  host: GraphNode;
  /** by group, in GROUPS' order; empty groups are left out of the picture */
  groups: { group: PeerGroup; title: string; nodes: GraphNode[] }[];
  edges: GraphEdge[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `tcp/443`, `icmp echo-request`, `gre key-0x4a1`, `tcp6/80`. */
function serviceText(f: HostFlow, port: HostFlow['local']['port']): string {
  const proto = protocolLabel(f.protocol, f.family);
  const text = portText(f.protocol, port);
  if (text === undefined) return proto;
  return typeof port === 'number' && /^\d+$/.test(text) ? `${proto}/${text}` : `${proto} ${text}`;
}

function volume(f: HostFlow): string {
  const conns = plural(f.connections, 'conn');
  return f.counted > 0 ? `${conns}, ${humanBytes(f.inBytes + f.outBytes)}` : `${conns}, no counters`;
}

/** The picture's nodes and edges, for any of the text formats. `names`: reverse DNS, when asked. */
export function flowGraph(flows: readonly HostFlow[], names?: ReadonlyMap<string, string>): FlowGraph {
  const groups = GROUPS.map((g) => ({ ...g, nodes: [] as GraphNode[], byAddr: new Map<string, GraphNode>() }));
  const hostAddrs: string[] = [];
  const nodeOf = (group: PeerGroup, addr: string): string => {
    const g = groups.find((x) => x.group === group)!;
    let node = g.byAddr.get(addr);
    if (node === undefined) {
      const name = names?.get(addr);
      node = { id: `${g.prefix}${g.nodes.length + 1}`, label: name === undefined || name === addr ? [addr] : [name, addr] };
      g.byAddr.set(addr, node);
      g.nodes.push(node);
    }
    return node.id;
  };
  const edges: GraphEdge[] = [];
  for (const f of flows) {
    if (f.direction !== 'forward' && !hostAddrs.includes(f.local.addr)) hostAddrs.push(f.local.addr);
    switch (f.direction) {
      case 'passive':
        edges.push({ from: nodeOf('passive', f.peer.addr), to: 'host', label: [serviceText(f, f.local.port), volume(f)], forward: false });
        break;
      case 'active':
        edges.push({ from: 'host', to: nodeOf('active', f.peer.addr), label: [serviceText(f, f.peer.port), volume(f)], forward: false });
        break;
      case 'local':
        edges.push({ from: 'host', to: 'host', label: [`${serviceText(f, f.local.port)} local`, volume(f)], forward: false });
        break;
      case 'forward': {
        const target = f.natTarget;
        const label = target === undefined
          ? [serviceText(f, f.peer.port), volume(f)]
          : [serviceText(f, target.port), `DNAT from ${flowEndpoint(f.protocol, f.peer.addr, f.peer.port)}`, volume(f)];
        edges.push({ from: nodeOf('forward', f.local.addr), to: nodeOf('forward', target?.addr ?? f.peer.addr), label, forward: true });
        break;
      }
    }
  }
  const shown = hostAddrs.slice(0, HOST_ADDRESSES);
  if (hostAddrs.length > shown.length) shown.push(`+${hostAddrs.length - shown.length} more`);
  return {
    host: { id: 'host', label: ['this host', ...shown] },
    groups: groups.filter((g) => g.nodes.length > 0).map(({ group, title, nodes }) => ({ group, title, nodes })),
    edges,
  };
}

/** A DOT string: `"` and `\` escaped, lines joined with DOT's centred line break. */
const dotText = (lines: readonly string[]): string => `"${lines.map((l) => l.replace(/["\\]/g, (c) => `\\${c}`)).join('\\n')}"`;

export function renderDot(g: FlowGraph): string {
  const out = [
    'digraph ctflow {',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
    `  host [label=${dotText(g.host.label)}, shape=box, style="rounded,bold,filled", fillcolor="#e8f0fe"];`,
  ];
  for (const group of g.groups) {
    out.push(`  subgraph cluster_${group.group} {`, `    label=${dotText([group.title])}; style=dashed; color="#999999"; fontname="Helvetica"; fontsize=10;`);
    for (const n of group.nodes) out.push(`    ${n.id} [label=${dotText(n.label)}];`);
    out.push('  }');
  }
  for (const e of g.edges) out.push(`  ${e.from} -> ${e.to} [label=${dotText(e.label)}${e.forward ? ', style=dashed' : ''}];`);
  out.push('}', '');
  return out.join('\n');
}

/** Mermaid text inside quotes: its entity codes for `"`, `<` and `>`, lines joined with <br/>. */
const mermaidText = (lines: readonly string[]): string =>
  `"${lines.map((l) => l.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;

export function renderMermaid(g: FlowGraph): string {
  const out = ['flowchart LR', `  host(${mermaidText(g.host.label)})`];
  for (const group of g.groups) {
    out.push(`  subgraph ${group.group}[${mermaidText([group.title])}]`);
    for (const n of group.nodes) out.push(`    ${n.id}[${mermaidText(n.label)}]`);
    out.push('  end');
  }
  for (const e of g.edges) out.push(`  ${e.from} ${e.forward ? '-.->' : '-->'}|${mermaidText(e.label)}| ${e.to}`);
  out.push('');
  return out.join('\n');
}
