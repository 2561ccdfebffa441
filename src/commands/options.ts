// The flags several commands share (source, filter, output), declared once with conntrack(8)'s
// names so habits carry over, and turned into typed library options in one place. Values are
// validated here, so a bad port or CIDR is a usage error (exit 2) before anything is read.

import { Command, Option } from 'commander';
import type { FilterOptions } from '../filter/compile-filter.js';
import { compileAddress } from '../filter/address-match.js';
import {
  parseFamily, parseMarkFilter, parseProtocol, parseStates, parseStatuses, parseZone, STATUSES,
} from '../filter/option-values.js';
import { parsePortOrService } from '../host/services.js';
import { PROTOCOL_BY_NUMBER, PROTOCOL_NUMBER } from '../model.js';
import { offerValues } from './cli-model.js';
import type { ReadOptions } from '../parse/read-table.js';
import { usageError } from '../errors.js';
import { FILTER, inGroup, OUTPUT, SOURCE } from './help-groups.js';
import type { OutputFormat } from '../output.js';

/** commander's argument parser for a repeatable option: every value, in order. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export interface SourceFlags {
  file?: string;
  stdin?: boolean;
  exec?: boolean;
  conntrackBin?: string;
  strict?: boolean;
  family?: string;
}

export interface FilterFlags {
  proto?: string;
  state?: string;
  src?: string;
  dst?: string;
  replySrc?: string;
  replyDst?: string;
  sport?: string;
  dport?: string;
  replyPortSrc?: string;
  replyPortDst?: string;
  port?: string;
  mark?: string;
  zone?: string;
  status?: string;
  snat?: boolean;
  dnat?: boolean;
  nat?: boolean;
  family?: string;
}

export interface OutputFlags {
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  color?: boolean;
}


export function addSourceOptions(cmd: Command): Command {
  return inGroup(cmd, SOURCE, (c) => c
    .option('--file <path>', 'read the table from a file (plain or gzip; - for stdin) instead of /proc/net/nf_conntrack')
    .option('--stdin', 'read the table from stdin (cat /proc/net/nf_conntrack | ctflow --stdin)')
    .option('--exec', 'run `conntrack -L -o extended` and read its output')
    .option('--conntrack-bin <path>', 'the conntrack binary to run (default: conntrack on PATH)')
    .option('--strict', 'stop at the first unparseable line (exit 1) instead of skipping it'));
}

export function addFilterOptions(cmd: Command): Command {
  inGroup(cmd, FILTER, (c) => c
    .option('-p, --proto <proto>', 'protocol name or number (tcp, udp, udplite, icmp, icmpv6, sctp, dccp, gre, …)')
    .option('--state <states>', 'state(s), comma separated (ESTABLISHED,TIME_WAIT)')
    .option('-s, --src <addr>', 'original source address or CIDR')
    .option('-d, --dst <addr>', 'original destination address or CIDR')
    .option('-r, --reply-src <addr>', 'reply source address or CIDR')
    .option('-q, --reply-dst <addr>', 'reply destination address or CIDR')
    .option('--sport <port>', 'original source port')
    .option('--dport <port>', 'original destination port')
    .option('--reply-port-src <port>', 'reply source port')
    .option('--reply-port-dst <port>', 'reply destination port')
    .option('--port <port>', 'any port of either direction (ports: a number or an /etc/services name, e.g. https)')
    .option('-m, --mark <mark>', 'connection mark, MARK or MARK/MASK (decimal or 0x hex)')
    .option('-w, --zone <zone>', 'conntrack zone (also matches directional zones)')
    .option('-u, --status <status>', 'ASSURED, UNREPLIED, SEEN_REPLY, OFFLOAD or HW_OFFLOAD (comma list: all must hold)')
    .option('--snat', 'only source-NAT’ed connections')
    .option('--dnat', 'only destination-NAT’ed connections')
    .option('--nat', 'only NAT’ed connections (either kind)')
    .option('-f, --family <family>', 'ipv4 or ipv6'));
  offerValues(cmd, '--proto', [...PROTOCOL_NUMBER.keys()]);
  offerValues(cmd, '--status', STATUSES);
  return offerValues(cmd, '--family', FAMILIES);
}

/** What --family takes (and completion offers). */
export const FAMILIES = ['ipv4', 'ipv6'] as const;

/** `--no-color`, as every command that colours its output words it (`.option(...NO_COLOR)`). */
export const NO_COLOR: [string, string] = ['--no-color', 'no colours (also when NO_COLOR is set)'];

export function addOutputOptions(cmd: Command): Command {
  return inGroup(cmd, OUTPUT, (c) => c
    .addOption(new Option('--json', 'one JSON array').conflicts(['ndjson', 'csv']))
    .addOption(new Option('--ndjson', 'one JSON object per line').conflicts(['csv']))
    .option('--csv', 'comma-separated values with a header row')
    .option(...NO_COLOR));
}

export function sourceFrom(flags: SourceFlags): ReadOptions {
  // one table at a time: --file X --exec silently ran conntrack, --file X --stdin read stdin
  const given = [flags.file !== undefined ? '--file' : '', flags.stdin ? '--stdin' : '', flags.exec ? '--exec' : ''].filter((s) => s !== '');
  if (given.length > 1) throw usageError(`ctflow: choose one source: --file, --stdin or --exec, got ${given.join(' and ')}`);
  return {
    file: flags.file,
    stdin: flags.stdin,
    exec: flags.exec,
    conntrackBin: flags.conntrackBin,
    strict: flags.strict,
    execArgs: flags.family !== undefined ? ['-f', parseFamily(flags.family, '--family')] : undefined,
  };
}

export function filterFrom(flags: FilterFlags): FilterOptions {
  const address = (v: string | undefined, what: string): string | undefined => {
    if (v !== undefined) compileAddress(v, what); // validate now, before reading anything
    return v;
  };
  const proto = flags.proto === undefined ? undefined : parseProtocol(flags.proto, '--proto');
  // a service name (`--dport https`) is looked up once, here, for --proto's protocol when given
  const protoName = proto === undefined ? undefined : PROTOCOL_BY_NUMBER.get(proto);
  const port = (v: string | undefined, what: string): number | undefined => (v === undefined ? undefined : parsePortOrService(v, what, protoName));
  return {
    family: flags.family === undefined ? undefined : parseFamily(flags.family, '--family'),
    proto,
    state: flags.state === undefined ? undefined : parseStates(flags.state, '--state'),
    src: address(flags.src, '--src'),
    dst: address(flags.dst, '--dst'),
    replySrc: address(flags.replySrc, '--reply-src'),
    replyDst: address(flags.replyDst, '--reply-dst'),
    sport: port(flags.sport, '--sport'),
    dport: port(flags.dport, '--dport'),
    replyPortSrc: port(flags.replyPortSrc, '--reply-port-src'),
    replyPortDst: port(flags.replyPortDst, '--reply-port-dst'),
    port: port(flags.port, '--port'),
    mark: flags.mark === undefined ? undefined : parseMarkFilter(flags.mark, '--mark'),
    zone: flags.zone === undefined ? undefined : parseZone(flags.zone, '--zone'),
    status: flags.status === undefined ? undefined : parseStatuses(flags.status, '--status'),
    snat: flags.snat,
    dnat: flags.dnat,
    nat: flags.nat,
  };
}

/** The filter options' keys, in --help order. */
export const FILTER_KEYS = [
  'proto', 'state', 'src', 'dst', 'replySrc', 'replyDst', 'sport', 'dport', 'replyPortSrc', 'replyPortDst', 'port', 'mark',
  'zone', 'status', 'snat', 'dnat', 'nat', 'family',
] as const satisfies ReadonlyArray<keyof FilterFlags>;

/** An option's long form from its key (`replyPortSrc` → `--reply-port-src`). */
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;

/**
 * The filter flags given, as one line of long options with the values as typed
 * (`--proto tcp --state SYN_RECV`), for output that must say what it counted; undefined for none.
 */
export function describeFilter(flags: FilterFlags): string | undefined {
  const parts: string[] = [];
  for (const key of FILTER_KEYS) {
    const v = flags[key];
    if (v === undefined || v === false) continue;
    parts.push(v === true ? flagName(key) : `${flagName(key)} ${v}`);
  }
  return parts.length === 0 ? undefined : parts.join(' ');
}

export function outputFrom(flags: OutputFlags): OutputFormat {
  if (flags.json) return 'json';
  if (flags.ndjson) return 'ndjson';
  if (flags.csv) return 'csv';
  return 'table';
}
