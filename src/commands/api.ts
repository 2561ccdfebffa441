// `ctflow api read` and `ctflow api delete`: a NethServer-compatible backend. One JSON request on
// stdin, one JSON response on stdout, exit 0 on success and 1 on any error (the error is JSON on
// stdout too, so a UI never has to parse stderr). Bad flags are still usage errors (exit 2).

import { Command } from 'commander';
import { handleDelete, handleRead, type ApiResult } from '../api/handle.js';
import { MAX_REQUEST_BYTES } from '../api/request.js';
import { ExitStatus } from '../errors.js';
import { loadZones } from '../host/zones.js';
import { netdataDataUrl } from '../kernel/netdata.js';
import { createOutput } from '../output.js';
import { skippedMessage } from '../parse/conn-records.js';
import { markMapFrom } from './zone-options.js';
import { addExamples, inGroup, OUTPUT, SOURCE } from './help-groups.js';

export const DEFAULT_NETDATA = 'http://127.0.0.1:19999';

interface ReadFlags {
  file?: string;
  exec?: boolean;
  conntrackBin?: string;
  zones?: string;
  markMap?: string;
  netdata: string;
}

interface DeleteFlags {
  file?: string;
  exec?: boolean;
  conntrackBin?: string;
}

/** stdin as text, stopping a little past the size limit (the validator names the excess). */
async function readRequest(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    chunks.push(b);
    size += b.length;
    if (size > MAX_REQUEST_BYTES) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function answer(result: ApiResult<unknown>): Promise<void> {
  const skipped = result.report === undefined ? undefined : skippedMessage(result.report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
  const out = createOutput();
  const r = result.response as { connections?: unknown[] };
  if (Array.isArray(r.connections) && Object.keys(r).length === 1) {
    // a whole table is written record by record: never one string of hundreds of megabytes
    out.write('{"connections":[');
    for (let i = 0; i < r.connections.length; i++) {
      out.write(i === 0 ? JSON.stringify(r.connections[i]) : `,${JSON.stringify(r.connections[i])}`);
      if (i % 4096 === 4095) await out.flush(); // respect a slow reader's backpressure
    }
    out.write(']}\n');
  } else {
    out.write(`${JSON.stringify(result.response)}\n`);
  }
  await out.end();
  if (result.exitCode !== 0) throw new ExitStatus(result.exitCode);
}

function readCommand(): Command {
  const cmd = new Command('read')
    .description('answer {"action":"protocols"|"conntrack"|"stats", …} from stdin with JSON on stdout')
    .option('--netdata <url>', 'netdata agent for "stats"', DEFAULT_NETDATA);
  inGroup(cmd, SOURCE, (c) => c
    .option('--file <path>', 'read the table from a file (plain or gzip) instead of /proc/net/nf_conntrack')
    .option('--exec', 'read the table from `conntrack -L -o extended`')
    .option('--conntrack-bin <path>', 'the conntrack binary to run (default: conntrack on PATH)'));
  inGroup(cmd, OUTPUT, (c) => c
    .option('--zones <file>', 'zones for "expand" (NAME CIDR… per line, or JSON); default: interface subnets, local, external')
    .option('--mark-map <file>', 'mark fields for provider, ndpi, prio (JSON, see docs/zones.md)'));
  addExamples(cmd, [
    { what: "the connections, as NethServer's UI asks for them", args: `api read <<< '{"action":"conntrack"}'` },
    { what: 'the protocols and their states', args: `api read <<< '{"action":"protocols"}'` },
  ]);
  return cmd
    .action(async (flags: ReadFlags) => {
      netdataDataUrl(flags.netdata, 1); // a bad URL is a usage error before stdin is read
      const markMap = await markMapFrom(flags);
      // a bad zones file is a usage error now, not an answer; the interface default waits for "expand"
      const zones = flags.zones === undefined ? undefined : await loadZones(flags.zones);
      const text = await readRequest();
      await answer(await handleRead(text, {
        source: { file: flags.file, exec: flags.exec, conntrackBin: flags.conntrackBin },
        zones: async () => zones ?? loadZones(undefined),
        markMap,
        netdataUrl: flags.netdata,
      }));
    });
}

function deleteCommand(): Command {
  const cmd = new Command('delete')
    .description('answer {"action":"flush"} or {"action":"connection", protocol, src, dst, sport, dport} from stdin');
  inGroup(cmd, SOURCE, (c) => c
    .option('--file <path>', 'match the request against a table read from a file (tests; the delete still goes to the kernel)')
    .option('--exec', 'match against `conntrack -L -o extended` instead of /proc/net/nf_conntrack')
    .option('--conntrack-bin <path>', 'the conntrack binary to run (default: conntrack on PATH)'));
  addExamples(cmd, [
    { what: 'delete the connection a request names: {"action":"connection","protocol":"tcp","src":…,"dst":…,"sport":…,"dport":…}', args: 'api delete < request.json' },
    { what: 'empty the table', args: `api delete <<< '{"action":"flush"}'` },
  ]);
  return cmd
    .action(async (flags: DeleteFlags) => {
      const text = await readRequest();
      await answer(await handleDelete(text, {
        conntrackBin: flags.conntrackBin,
        source: { file: flags.file, exec: flags.exec, conntrackBin: flags.conntrackBin },
      }));
    });
}

export function apiCommand(): Command {
  const cmd = new Command('api')
    .description('NethServer-compatible JSON API: one request on stdin, one response on stdout (see docs/api.md)')
    .addCommand(readCommand())
    .addCommand(deleteCommand());
  return addExamples(cmd, [
    { what: 'the table statistics, as JSON', args: `api read <<< '{"action":"stats"}'` },
    { what: 'the connections of a saved table', args: `api read --file saved.txt <<< '{"action":"conntrack"}'` },
  ]);
}
