// `ctflow nat-owner ADDR:PORT`: the inside host and port that own a public address:port (the
// question NAT operators ask most: "who was 203.0.113.5:40001?"), from the table now, or with
// --at from a log of events (watch --ndjson, or conntrack -E -o timestamp text) at a past moment.
// The matching is aggregate/nat-owner.ts; the replay of a log aggregate/event-replay.ts.

import { Command } from 'commander';
import { CtflowError, usageError } from '../errors.js';
import { always } from '../filter/compile-filter.js';
import { parseProtocol } from '../filter/option-values.js';
import { parsePortOrService } from '../host/services.js';
import { EventReplay, type ReplayConnLike } from '../aggregate/event-replay.js';
import { natOwnersOf, sortNatOwners, type NatAddress, type NatConnLike, type NatOwner } from '../aggregate/nat-owner.js';
import { isEventChatter } from '../kernel/event-stream.js';
import { canonicalIPv6, parseIPv4 } from '../parse/address.js';
import { isLostEventsLine, parseEventLine } from '../parse/event-line.js';
import { createOutput } from '../output.js';
import { natOwnersJson, renderNatOwners } from '../render/nat-owners.js';
import { stdoutPalette } from '../render/palette.js';
import { countSkipped, emptyReport, OVERLONG, skippedMessage, unparseableLineError } from '../parse/conn-records.js';
import { readLines } from '../source/read-lines.js';
import { addSourceOptions, sourceFrom, type SourceFlags, NO_COLOR } from './options.js';
import { scanTable } from '../scan/read.js';
import { addExamples, inGroup, OUTPUT } from './help-groups.js';

interface NatOwnerFlags extends SourceFlags {
  proto?: string;
  at?: string;
  json?: boolean;
  color?: boolean;
}

export function natOwnerCommand(): Command {
  const cmd = new Command('nat-owner')
    .description('who owns a public address:port after NAT: the inside host and port of its SNAT/masquerade and DNAT mappings')
    .argument('<addr:port>', 'the public address and port (a number or an /etc/services name); IPv6 as [addr]:port')
    .option('-p, --proto <proto>', 'only this protocol (tcp, udp, sctp, …)')
    .option('--at <time>', 'answer for this past moment (ISO 8601 or epoch seconds) from a log of events: `watch --ndjson` output or `conntrack -E -o timestamp` text, given with --file or --stdin')
  addSourceOptions(cmd);
  inGroup(cmd, OUTPUT, (c) => c
    .option('--json', 'one JSON array of the owners')
    .option(...NO_COLOR));
  addExamples(cmd, [
    { what: 'the inside host behind a masqueraded address and port, now', args: 'nat-owner 203.0.113.5:40001' },
    { what: 'who held it at 09:30 UTC, from a log written by watch --ndjson', args: 'nat-owner 203.0.113.5:40001 --file log --at 2026-12-06T09:30Z' },
  ]);
  return cmd.action(async (target: string, flags: NatOwnerFlags) => runNatOwner(target, flags));
}

/** `10.1.0.1:2222`, `[fd00:a1::1]:2222`, `10.1.0.1:ssh` → the address (canonical) and port. */
export function parseNatTarget(text: string, protocol?: string): NatAddress {
  const m = /^\[([^\]]+)\]:([^:]+)$/.exec(text) ?? /^([^:[\]]+):([^:]+)$/.exec(text);
  const addr = m === null ? undefined : m[0].startsWith('[') ? canonicalIPv6(m[1]!) : parseIPv4(m[1]!) !== undefined ? m[1] : undefined;
  if (m === null || addr === undefined) {
    throw usageError(`ctflow: nat-owner: expected ADDR:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(text)}`);
  }
  return { addr, port: parsePortOrService(m[2]!, 'nat-owner', protocol) };
}

/** `--at`: ISO 8601 (with a zone, or local time) or epoch seconds → epoch seconds. */
export function parseMoment(text: string, what = '--at'): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.test(t) ? Date.parse(t) : NaN;
  if (Number.isNaN(ms)) throw usageError(`ctflow: ${what}: expected ISO 8601 (2026-11-24T09:24:51Z) or epoch seconds, got ${JSON.stringify(text)}`);
  return ms / 1000;
}

type LogConn = NatConnLike & ReplayConnLike;

/** The entries alive at `at`, replayed from the event log the source holds. */
async function entriesAt(flags: NatOwnerFlags, at: number): Promise<{ entries: Iterable<LogConn>; lost: number; events: number }> {
  const source = sourceFrom(flags);
  const replay = new EventReplay<LogConn>();
  const report = emptyReport();
  let lost = 0;
  let events = 0;
  const skip = (text: string): void => {
    countSkipped(report, report.lines);
    if (flags.strict) throw unparseableLineError(report.lines, text, 'an event');
  };
  await readLines(source, (line) => {
    report.lines++;
    if (line === undefined) return skip(OVERLONG);
    if (isEventChatter(line)) return;
    let type: string;
    let time: number | null | undefined;
    let conn: LogConn;
    if (line.startsWith('{')) {
      // watch --ndjson: {"event":"new","time":…,"conn":{…}} or {"event":"lost",…}
      let record: { event?: unknown; time?: unknown; conn?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return skip(line);
      }
      if (record.event === 'lost') {
        lost++;
        return;
      }
      if ((record.event !== 'new' && record.event !== 'update' && record.event !== 'destroy') || typeof record.conn !== 'object' || record.conn === null) return skip(line);
      [type, time, conn] = [record.event, record.time as number | null, record.conn as LogConn];
    } else {
      if (isLostEventsLine(line)) {
        lost++;
        return;
      }
      const e = parseEventLine(line);
      if (e === undefined) return skip(line);
      [type, time, conn] = [e.type, e.time, e.conn as unknown as LogConn];
    }
    if (typeof time !== 'number') {
      throw new CtflowError(`ctflow: --at: line ${report.lines} has no time, expected events recorded with times (ctflow watch --ndjson, conntrack -E -o timestamp), got ${JSON.stringify(line.slice(0, 80))}`, { code: 'EPARSE' });
    }
    events++;
    if (time <= at) replay.apply({ type: type as 'new' | 'update' | 'destroy', conn });
  });
  // a source without one event is refused whole by the caller: no count of lines to add
  const skipped = events === 0 ? undefined : skippedMessage(report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
  return { entries: replay.entries(), lost, events };
}

async function runNatOwner(text: string, flags: NatOwnerFlags): Promise<void> {
  const protonum = flags.proto === undefined ? undefined : parseProtocol(flags.proto, '--proto');
  const target = parseNatTarget(text, flags.proto?.trim().toLowerCase());
  const at = flags.at === undefined ? undefined : parseMoment(flags.at);
  if (at !== undefined && flags.file === undefined && !flags.stdin) {
    throw usageError('ctflow: --at: needs a log of events to read, given with --file or --stdin, got the live table');
  }
  const owners: NatOwner[] = [];
  const out = createOutput();
  if (at === undefined) {
    await scanTable(sourceFrom(flags), always, (c) => {
      if (c.nat !== undefined) owners.push(...natOwnersOf(c, target, protonum));
    }, out, Boolean(flags.json));
  } else {
    const log = await entriesAt(flags, at);
    if (log.events === 0) throw usageError('ctflow: --at: the source holds no events, expected a `watch --ndjson` log or `conntrack -E -o timestamp` text, got none');
    for (const c of log.entries) owners.push(...natOwnersOf(c, target, protonum));
    if (log.lost > 0) process.stderr.write(`ctflow: the log reports ${log.lost} lost-events warning(s): mappings made then may be missing\n`);
  }
  sortNatOwners(owners);
  out.write(flags.json ? natOwnersJson(owners) : renderNatOwners(owners, stdoutPalette(flags)));
  await out.end();
}
