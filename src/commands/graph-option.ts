// flows' --graph FORMAT: checked with the other options, drawn from the flows the table would
// show (sorted, selected, limited: top 20 by bytes unless --limit says otherwise).

import type { Command } from 'commander';
import type { HostFlow } from '../aggregate/host-flows.js';
import { usageError } from '../errors.js';
import { flowGraph, GRAPH_FORMATS, renderDot, renderMermaid, type GraphFormat } from '../render/flow-graph.js';
import type { OutputFormat } from '../output.js';
import { inGroup, OUTPUT } from './help-groups.js';

export interface GraphFlags {
  graph?: string;
}

export function addGraphOption(cmd: Command): Command {
  return inGroup(cmd, OUTPUT, (c) => c.option('--graph <format>', 'draw the flows instead of a table: dot (Graphviz), mermaid or svg; the top 20 by bytes unless --limit'));
}

/** The format asked for, or undefined; a graph is its own output, so --json/--ndjson/--csv cannot join it. */
export function graphFrom(flags: GraphFlags, output: OutputFormat): GraphFormat | undefined {
  if (flags.graph === undefined) return undefined;
  const format = flags.graph.trim().toLowerCase();
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
    throw usageError(`ctflow: --graph: expected one of ${GRAPH_FORMATS.join(', ')}, got ${JSON.stringify(flags.graph)}`);
  }
  if (output !== 'table') throw usageError(`ctflow: --graph: draws instead of a table, so it takes no --${output}, got both`);
  return format as GraphFormat;
}

export async function graphText(format: GraphFormat, flows: readonly HostFlow[], names: ReadonlyMap<string, string> | undefined): Promise<string> {
  const graph = flowGraph(flows, names);
  if (format === 'mermaid') return renderMermaid(graph);
  if (format === 'dot') return renderDot(graph);
  // loaded only now: the WebAssembly Graphviz is ~1.2 MB no other run needs
  const { renderSvg } = await import('../render/flow-graph-svg.js');
  return renderSvg(renderDot(graph));
}
