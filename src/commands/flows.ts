// `ctflow flows`, also what `ctflow` runs with no subcommand: the host flows view. Reads the
// table once, keeps one aggregate per flow (never the table), then sorts, selects, limits,
// resolves peer names for the rows it will print, and renders.

import { Command } from 'commander';
import { FLOW_SORT_KEYS } from '../aggregate/flow-order.js';
import { sortFlowIds } from '../aggregate/flow-id-order.js';
import { KEEP_ALL } from '../aggregate/flow-selection.js';
import type { HostFlow } from '../aggregate/host-flows.js';
import { anyRounded, ROUNDED_SUMS } from '../aggregate/sum-limit.js';
import { parseCount } from '../filter/option-values.js';
import { discoverLocalAddresses, parseLocalOption } from '../host/local-addresses.js';
import { DEFAULT_DNS_TIMEOUT_MS, MAX_DNS_TIMEOUT_MS, peerNames } from '../host/reverse-dns.js';
import { createOutput } from '../output.js';
import { flowCsvHeader, flowToCsv, flowToJson, flowToJsonText } from '../render/flows-json.js';
import { FLOW_JSON_MAX, writeFlowJson } from '../render/flows-json-bytes.js';
import { writeFlowsTable } from '../render/flows-table.js';
import { ACCOUNTING_HINT, closingCount, noRowsLine } from '../render/table-summary.js';
import { isLiveTable } from '../source/open-source.js';
import { stdoutPalette } from '../render/palette.js';
import {
  addFilterOptions, addOutputOptions, addSourceOptions, collect, filterFrom, outputFrom, sourceFrom, type FilterFlags, type OutputFlags, type SourceFlags,
} from './options.js';
import { flowsJob } from '../scan/flows-job.js';
import { scanJob } from '../scan/read.js';
import { appendCsv } from '../render/conn-extras.js';
import { flowZones } from '../render/flow-zones.js';
import { flowServiceCell } from '../render/service-column.js';
import { withColumn } from '../render/appended-columns.js';
import { addZonesOption, zonesFrom, type ZoneFlags } from './zone-options.js';
import { addTableOptions, tableLayoutFrom, type TableFlags } from './table-options.js';
import { leftoverWordsOf } from './unknown-command.js';
import { addExamples, inGroup, OUTPUT, SOURCE } from './help-groups.js';
import { addOrderOptions, limitFrom, parseSort } from './order-options.js';
import { addFlowSelectionOptions, compileSelection, flowSelectionFrom, type FlowSelectionFlags } from './flow-options.js';
import { addGraphOption, graphFrom, graphText, type GraphFlags } from './graph-option.js';
import { addProcessesOption, flowProcessLookup, processesFrom, type ProcessFlags } from './process-option.js';
import { flowProcessFields, flowProcessText } from '../render/process-fields.js';
import { DEFAULT_GRAPH_FLOWS } from '../render/flow-graph.js';

interface FlowsFlags extends SourceFlags, FilterFlags, OutputFlags, ZoneFlags, FlowSelectionFlags, GraphFlags, ProcessFlags, TableFlags {
  local?: string[];
  sort?: string;
  reverse?: boolean;
  limit?: string;
  numeric?: boolean;
  dnsTimeout?: string;
}


export function flowsCommand(): Command {
  const cmd = new Command('flows')
    .summary('(the default command) host flows: who this host talks to, who talks to it, what it routes')
    .description('host flows: who this host talks to (-->), who talks to it (<--), itself (<->), what it routes (==>)');
  addSourceOptions(cmd);
  inGroup(cmd, SOURCE, (c) => c
    .option('--local <addr>', "this host's address(es), repeatable or comma separated; replaces discovery (for --file/--stdin from another host)", collect));
  addFilterOptions(cmd);
  addFlowSelectionOptions(cmd);
  addOrderOptions(cmd, { keys: FLOW_SORT_KEYS, sortDefault: 'bytes, then connections', rows: 'flows', limitDefault: 'all' });
  addOutputOptions(cmd);
  inGroup(cmd, OUTPUT, (c) => c
    .option('-n, --numeric', 'numeric: no reverse DNS (peer addresses only) and no Service column (ports as numbers only, as ss -n)')
    .option('--dns-timeout <ms>', `reverse DNS deadline for all lookups together (default ${DEFAULT_DNS_TIMEOUT_MS})`));
  addTableOptions(cmd);
  addZonesOption(cmd);
  addGraphOption(cmd);
  addProcessesOption(cmd);
  addExamples(cmd, [
    { what: 'who this host talks to and who talks to it, busiest first (same as plain `ctflow`)', args: 'flows' },
    { what: 'the 10 busiest peers of the SSH server, without reverse DNS', args: 'flows --passive --pport 22 --limit 10 -n' },
    { what: 'flows of a table saved on another host, as JSON', args: 'flows --file saved.txt --local 192.0.2.10 --json' },
  ]);
  // left-over words are read by hand: flows is the default command, so `ctflow lst` lands here
  return cmd.allowExcessArguments(true).action(async (flags: FlowsFlags, self: Command) => {
    if (self.args.length > 0) throw leftoverWordsOf(self);
    await runFlows(flags);
  });
}

async function runFlows(flags: FlowsFlags): Promise<void> {
  // every option is checked before anything is read
  const source = sourceFrom(flags);
  const filterOptions = filterFrom(flags);
  const format = outputFrom(flags);
  const local = flags.local !== undefined ? parseLocalOption(flags.local) : discoverLocalAddresses();
  const selection = flowSelectionFrom(flags);
  const sort = flags.sort === undefined ? { key: 'bytes' as const, reverse: false } : parseSort(flags.sort, FLOW_SORT_KEYS);
  const reverse = Boolean(flags.reverse) !== sort.reverse;
  const graph = graphFrom(flags, format);
  const processes = processesFrom(flags, source);
  const limit = flags.limit === undefined ? (graph === undefined ? undefined : DEFAULT_GRAPH_FLOWS) : limitFrom(flags.limit);
  const dnsTimeout = flags.dnsTimeout === undefined ? DEFAULT_DNS_TIMEOUT_MS : parseCount(flags.dnsTimeout, '--dns-timeout', 1, MAX_DNS_TIMEOUT_MS);
  const keep = await compileSelection(selection, flags);
  const zones = await zonesFrom(flags);
  const layout = tableLayoutFrom(flags);

  const out = createOutput();
  // summed per part of the table, on every core when the table is big (scan/flows-job.ts)
  const run = await scanJob(source, flowsJob({ filter: filterOptions, local: [...local] }), out, format !== 'table');

  // the flows stay in the aggregator's typed arrays: sorted there by number and read out one
  // at a time through a reused view (only the table makes objects, of the rows it prints)
  const table = run.result;
  if (anyRounded(table.columns().sums)) process.stderr.write(`${ROUNDED_SUMS}\n`);
  let ids = sortFlowIds(table.columns(), sort.key);
  // the order is total (ties broken on every identity field), so reversing the rows reverses it
  if (reverse) ids.reverse();
  if (keep !== KEEP_ALL) ids = ids.filter((f) => keep(table.view(f)));
  if (limit !== undefined) ids = ids.subarray(0, limit);

  // names only for the rows we print; -n asks nothing at all
  const names = await peerNames(Array.from(ids, (f) => table.view(f).peer.addr), { numeric: flags.numeric, timeoutMs: dnsTimeout });
  if (graph !== undefined) {
    out.write(await graphText(graph, Array.from(ids, (f) => table.flow(f)), names));
    await out.end();
    return;
  }
  // --processes: the sockets of the flows printed, read once (process-option.ts)
  const procs = processes ? await flowProcessLookup() : undefined;
  // --zones: src_zone/dst_zone after the flow's own fields, then --processes' process(es)
  const plain = zones === undefined;
  const extraJson = (f: HostFlow): object => ({ ...(zones === undefined ? {} : flowZones(f, zones)), ...(procs === undefined ? {} : flowProcessFields(procs(f))) });
  const json = (f: HostFlow): string => (plain && procs === undefined ? flowToJsonText(f, names) : JSON.stringify({ ...flowToJson(f, names), ...extraJson(f) }));
  const csvExtras = (f: HostFlow): string[] => [...(zones === undefined ? [] : Object.values(flowZones(f, zones))), ...(procs === undefined ? [] : [flowProcessText(procs(f))])];

  /** One flow's JSON after `before` and before `after`: as bytes when it can be, else as text. */
  const writeJson = (f: HostFlow, before: string, after: string): void => {
    if (plain) {
      out.reserve(FLOW_JSON_MAX + before.length + after.length);
      const at = out.buf.write(before, out.pos, 'latin1') + out.pos;
      const end = writeFlowJson(f, names?.get(f.peer.addr), out.buf, at);
      if (end >= 0 && procs !== undefined) {
        // --processes: its fields go in before the object's closing brace
        out.pos = end - 1;
        out.write(`,${JSON.stringify(flowProcessFields(procs(f))).slice(1)}${after}`);
        return;
      }
      if (end >= 0) {
        out.pos = end + out.buf.write(after, end, 'latin1');
        return;
      }
    }
    out.write(before + json(f) + after);
  };
  /** the table's closing count and hint, for stderr */
  let summary = '';
  switch (format) {
    case 'json':
      out.write('[');
      for (let i = 0; i < ids.length; i++) writeJson(table.view(ids[i]!), i === 0 ? '\n' : ',\n', '');
      out.write(ids.length === 0 ? ']\n' : '\n]\n');
      break;
    case 'ndjson':
      for (const f of ids) writeJson(table.view(f), '', '\n');
      break;
    case 'csv':
      out.write(appendCsv(flowCsvHeader(), [...(zones === undefined ? [] : ['src_zone', 'dst_zone']), ...(procs === undefined ? [] : ['process'])]));
      for (const f of ids) {
        const flow = table.view(f);
        out.write(appendCsv(flowToCsv(flow, names), csvExtras(flow)));
      }
      break;
    case 'table': {
      const palette = stdoutPalette(flags);
      // rows written as they are made, from the aggregator's reused view (render/flows-table.ts)
      const zoneColumn = zones === undefined ? undefined : { head: ['Zones'], cells: (f: HostFlow) => [`${flowZones(f, zones).src_zone} → ${flowZones(f, zones).dst_zone}`] };
      // -n: ports stay numbers only (no Service column), as ss -n
      const serviceColumn = flags.numeric ? zoneColumn : withColumn(zoneColumn, 'Service', flowServiceCell());
      const columns = procs === undefined ? serviceColumn : withColumn(serviceColumn, 'Process', (f) => flowProcessText(procs(f)));
      const entries = run.report.records;
      // a line that says why instead of an empty box
      if (ids.length === 0) out.write(noRowsLine(entries, isLiveTable(source)));
      else writeFlowsTable((t) => out.write(t), { count: ids.length, flow: (i) => table.view(ids[i]!) }, palette, names, columns, layout);
      // the count as conntrack's, said once the table is written (end() reports a failed write instead)
      summary = closingCount(ids.length, 'flows', entries) + (ids.length > 0 && ids.every((f) => table.view(f).counted === 0) ? ACCOUNTING_HINT : '');
      break;
    }
  }
  await out.end();
  process.stderr.write(summary);
}
