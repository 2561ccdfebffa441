// `ctflow flows`, also what `ctflow` runs with no subcommand: the host flows view. Reads the
// table once, keeps one aggregate per flow (never the table), then sorts, selects, limits,
// resolves peer names for the rows it will print, and renders.

import { Command } from 'commander';
import { FLOW_SORT_KEYS, type FlowSortKey } from '../aggregate/flow-order.js';
import { sortFlowIds } from '../aggregate/flow-id-order.js';
import { KEEP_ALL } from '../aggregate/flow-selection.js';
import { anyRounded, ROUNDED_SUMS } from '../aggregate/sum-limit.js';
import { usageError } from '../errors.js';
import { parseCount } from '../filter/option-values.js';
import { discoverLocalAddresses, parseLocalOption } from '../host/local-addresses.js';
import { DEFAULT_DNS_TIMEOUT_MS, MAX_DNS_TIMEOUT_MS, peerNames } from '../host/reverse-dns.js';
import { createOutput } from '../output.js';
import { writeFlows } from '../render/flows-output.js';
import { stdoutPalette } from '../render/palette.js';
import {
  addFilterOptions, addOutputOptions, addSourceOptions, collect, filterFrom, outputFrom, sourceFrom, type FilterFlags, type OutputFlags, type SourceFlags,
} from './options.js';
import { flowsJob } from '../scan/flows-job.js';
import { scanJob } from '../scan/read.js';
import { addZonesOption, zonesFrom, type ZoneFlags } from './zone-options.js';
import { leftoverWordsOf } from './unknown-command.js';
import { addFlowSelectionOptions, compileSelection, flowSelectionFrom, type FlowSelectionFlags } from './flow-options.js';

interface FlowsFlags extends SourceFlags, FilterFlags, OutputFlags, ZoneFlags, FlowSelectionFlags {
  local?: string[];
  sort?: string;
  limit?: string;
  numeric?: boolean;
  dnsTimeout?: string;
}


export function flowsCommand(): Command {
  const cmd = new Command('flows')
    .description('host flows: who this host talks to (-->), who talks to it (<--), itself (<->), what it routes (==>)')
    .option('--local <addr>', "this host's address(es), repeatable or comma separated; replaces discovery (for --file/--stdin from another host)", collect);
  addFlowSelectionOptions(cmd)
    .option('--sort <key>', `${FLOW_SORT_KEYS.join(', ')} (default bytes, then connections)`)
    .option('--limit <n>', 'show only the first N flows')
    .option('-n, --numeric', 'no reverse DNS: show peer addresses only')
    .option('--dns-timeout <ms>', `reverse DNS deadline for all lookups together (default ${DEFAULT_DNS_TIMEOUT_MS})`);
  addSourceOptions(cmd);
  addFilterOptions(cmd);
  addOutputOptions(cmd);
  addZonesOption(cmd);
  // left-over words are read by hand: flows is the default command, so `ctflow lst` lands here
  return cmd.allowExcessArguments(true).action(async (flags: FlowsFlags, self: Command) => {
    if (self.args.length > 0) throw leftoverWordsOf(self);
    await runFlows(flags);
  });
}

function parseFlowSort(text: string): FlowSortKey {
  const key = text.trim().toLowerCase();
  if (!(FLOW_SORT_KEYS as readonly string[]).includes(key)) {
    throw usageError(`ctflow: --sort: expected one of ${FLOW_SORT_KEYS.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return key as FlowSortKey;
}

async function runFlows(flags: FlowsFlags): Promise<void> {
  // every option is checked before anything is read
  const source = sourceFrom(flags);
  const filterOptions = filterFrom(flags);
  const format = outputFrom(flags);
  const local = flags.local !== undefined ? parseLocalOption(flags.local) : discoverLocalAddresses();
  const selection = flowSelectionFrom(flags);
  const sort = flags.sort === undefined ? 'bytes' : parseFlowSort(flags.sort);
  const limit = flags.limit === undefined ? undefined : parseCount(flags.limit, '--limit');
  const dnsTimeout = flags.dnsTimeout === undefined ? DEFAULT_DNS_TIMEOUT_MS : parseCount(flags.dnsTimeout, '--dns-timeout', 1, MAX_DNS_TIMEOUT_MS);
  const keep = await compileSelection(selection, flags);
  const zones = await zonesFrom(flags);

  const out = createOutput();
  // summed per part of the table, on every core when the table is big (scan/flows-job.ts)
  const run = await scanJob(source, flowsJob({ filter: filterOptions, local: [...local] }), out, format !== 'table');

  // the flows stay in the aggregator's typed arrays: sorted there by number and read out one
  // at a time through a reused view (only the table makes objects, of the rows it prints)
  const table = run.result;
  if (anyRounded(table.columns().sums)) process.stderr.write(`${ROUNDED_SUMS}\n`);
  let ids = sortFlowIds(table.columns(), sort);
  if (keep !== KEEP_ALL) ids = ids.filter((f) => keep(table.view(f)));
  if (limit !== undefined) ids = ids.subarray(0, limit);

  // names only for the rows we print; -n asks nothing at all
  const names = await peerNames(Array.from(ids, (f) => table.view(f).peer.addr), { numeric: flags.numeric, timeoutMs: dnsTimeout });
  writeFlows(out, format, { ids, view: (f) => table.view(f), flow: (f) => table.flow(f) }, names, zones, () => stdoutPalette(flags));
  await out.end();
}
