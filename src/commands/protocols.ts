// `ctflow protocols`: the protocols conntrack tracks and their states (the NethServer API's list,
// complete), and with --live how many entries of the table are in each protocol and state.

import { Command } from 'commander';
import { createProtocolCounter, protocolCatalogue, type ProtocolCount } from '../aggregate/protocols.js';
import { createOutput } from '../output.js';
import { stdoutPalette } from '../render/palette.js';
import { addTableOptions, tableLayoutFrom, type TableFlags } from './table-options.js';
import { renderProtocols } from '../render/protocols.js';
import { addSourceOptions, sourceFrom, type SourceFlags, NO_COLOR } from './options.js';
import { scanTable } from '../scan/read.js';
import { addExamples, inGroup, OUTPUT } from './help-groups.js';

interface ProtocolsFlags extends SourceFlags, TableFlags {
  live?: boolean;
  json?: boolean;
  color?: boolean;
}

export function protocolsCommand(): Command {
  const cmd = new Command('protocols')
    .description('the protocols conntrack tracks and their states; --live adds counts from the table')
    .option('--live', 'count the entries of the table (default /proc/net/nf_conntrack) per protocol and state; implied by --file/--stdin/--exec');
  addSourceOptions(cmd);
  inGroup(cmd, OUTPUT, (c) => c
    .option('--json', '{"protocols": {"tcp": [states…], "udp": [], …}} (with --live also "counts")')
    .option(...NO_COLOR));
  addTableOptions(cmd, { exact: false });
  addExamples(cmd, [
    { what: 'every protocol conntrack tracks, with its states', args: 'protocols' },
    { what: 'how many entries of the live table are in each protocol and state', args: 'protocols --live' },
  ]);
  return cmd.action(async (flags: ProtocolsFlags) => runProtocols(flags));
}

async function runProtocols(flags: ProtocolsFlags): Promise<void> {
  const out = createOutput();
  const catalogue = protocolCatalogue();
  let counts: Record<string, ProtocolCount> | undefined;
  // naming a table (--file, --stdin, --exec) asks for its counts as plainly as --live does
  if (flags.live || flags.file !== undefined || flags.stdin || flags.exec) {
    const counter = createProtocolCounter();
    await scanTable(sourceFrom(flags), () => true, (c) => counter.add(c), out);
    counts = counter.finish();
  }
  if (flags.json) {
    out.write(JSON.stringify(counts === undefined ? { protocols: catalogue } : { protocols: catalogue, counts }) + '\n');
  } else {
    out.write(renderProtocols(catalogue, counts, stdoutPalette(flags), tableLayoutFrom(flags).width));
  }
  await out.end();
}
