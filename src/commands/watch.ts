// `ctflow watch`: conntrack's live events (or saved event text), filtered like `list` (its zone
// filters and -z naming too), one line (or one NDJSON object) per event. Ends at the end of the
// input, after --duration or --count, or on SIGINT/SIGTERM; always stops conntrack first and says
// on stderr what it saw and lost. A line that is neither an event nor conntrack's own chatter is
// counted and reported as list reports one (`--strict`: the first is fatal).

import { Command } from 'commander';
import { CtflowError, usageError } from '../errors.js';
import { compileFilter } from '../filter/compile-filter.js';
import { parseCount, parseSeconds } from '../filter/option-values.js';
import { isEventChatter, openEventStream, type EventSourceOptions } from '../kernel/event-stream.js';
import { createOutput } from '../output.js';
import { parseEventLine, type ConnEvent, type EventType } from '../parse/event-line.js';
import { extraJson, extraTableCells, type ConnExtras } from '../render/conn-extras.js';
import { eventToJson, lostToJson } from '../render/event-json.js';
import { eventText } from '../render/event-text.js';
import { colorEnabled, createPalette } from '../render/palette.js';
import { countSkipped, emptyReport, OVERLONG, skippedMessage, unparseableLineError } from '../parse/conn-records.js';
import { addFilterOptions, filterFrom, type FilterFlags, NO_COLOR } from './options.js';
import { addExamples, FILTER, inGroup, OUTPUT, SOURCE } from './help-groups.js';
import { offerValues } from './cli-model.js';
import { addZoneFilterOptions, addZonesOption, withZoneFilter, zonesFrom, type ZoneFlags } from './zone-options.js';

interface WatchFlags extends FilterFlags, ZoneFlags {
  strict?: boolean;
  file?: string;
  stdin?: boolean;
  conntrackBin?: string;
  execArgs?: string;
  bufferSize?: string;
  eventMask?: string;
  duration?: string;
  count?: string;
  ndjson?: boolean;
  color?: boolean;
}

const EVENT_TYPES: readonly EventType[] = ['new', 'update', 'destroy'];

/** "NEW,DESTROY" (any case; ALL = every type) → the types, in conntrack's order. */
export function parseEventMask(text: string): EventType[] {
  const wanted = new Set<EventType>();
  for (const word of text.split(',')) {
    const w = word.trim().toLowerCase();
    if (w === 'all') EVENT_TYPES.forEach((t) => wanted.add(t));
    else if ((EVENT_TYPES as readonly string[]).includes(w)) wanted.add(w as EventType);
    else throw usageError(`ctflow: --event-mask: expected NEW, UPDATE, DESTROY or ALL (comma separated), got ${JSON.stringify(text)}`);
  }
  return EVENT_TYPES.filter((t) => wanted.has(t));
}

/** What --help shows for --exec-args; a test runs it against conntrack -E. */
export const EXEC_ARGS_EXAMPLE = '--orig-zone 3';

/** "-f ipv6 --zone 3": conntrack arguments split on blanks (never through a shell). */
export function splitExecArgs(text: string): string[] {
  return text.split(/\s+/).filter((a) => a !== '');
}

export function watchCommand(): Command {
  const cmd = new Command('watch')
    .description('live connection events from `conntrack -E` (or saved event text), filtered, one line per event')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--count <n>', 'stop after N events (after filters)');
  inGroup(cmd, SOURCE, (c) => c
    .option('--file <path>', 'read saved `conntrack -E` text from a file (- for stdin) instead of running conntrack')
    .option('--stdin', 'read saved or piped `conntrack -E` text from stdin')
    .option('--strict', 'stop at the first line that is not an event (exit 1) instead of skipping it')
    .option('--conntrack-bin <path>', 'the conntrack binary to run (default: conntrack on PATH)')
    .option('--exec-args <args>', `extra arguments for \`conntrack -E\`, split on blanks (e.g. "${EXEC_ARGS_EXAMPLE}")`)
    .option('-b, --buffer-size <bytes>', 'netlink socket buffer size for conntrack (conntrack -b); raise it when events are lost'));
  addFilterOptions(cmd);
  addZoneFilterOptions(cmd);
  inGroup(cmd, FILTER, (c) => c
    .option('-e, --event-mask <types>', 'only these events: NEW, UPDATE, DESTROY or ALL, comma separated (conntrack -e)'));
  offerValues(cmd, '--event-mask', ['NEW', 'UPDATE', 'DESTROY', 'ALL']);
  inGroup(cmd, OUTPUT, (c) => c
    .option('--ndjson', 'one JSON object per event (and per lost-events warning)')
    .option(...NO_COLOR));
  addZonesOption(cmd);
  addExamples(cmd, [
    { what: 'new and destroyed TCP connections to port 22, live', args: 'watch -e NEW,DESTROY -p tcp --dport 22' },
    { what: 'ten events of conntrack zone 3 (passed to conntrack -E itself), as NDJSON', args: `watch --exec-args "${EXEC_ARGS_EXAMPLE}" --count 10 --ndjson` },
    { what: 'saved `conntrack -E` text, filtered', args: 'watch --file events.txt -s 10.0.0.0/8' },
  ]);
  return cmd.action(async (flags: WatchFlags) => runWatch(flags));
}

async function runWatch(flags: WatchFlags): Promise<void> {
  // a bad zones file is a usage error now, before conntrack starts
  const zones = await zonesFrom(flags);
  const filter = withZoneFilter(compileFilter(filterFrom(flags)), flags, zones);
  // -z (or a zone filter, which implies it, as in list) names each end as list does:
  // src_zone/dst_zone in NDJSON, "lan → wan" at the end of the line
  const extras: ConnExtras | undefined = zones === undefined ? undefined : { zones };
  const mask = flags.eventMask === undefined ? undefined : parseEventMask(flags.eventMask);
  const source: EventSourceOptions = {
    file: flags.file,
    stdin: flags.stdin,
    stdinStream: flags.stdin || flags.file === '-' ? process.stdin : undefined,
    conntrackBin: flags.conntrackBin,
    execArgs: flags.execArgs === undefined ? undefined : splitExecArgs(flags.execArgs),
    bufferSize: flags.bufferSize === undefined ? undefined : parseCount(flags.bufferSize, '--buffer-size', 1),
    eventMask: mask,
  };
  const duration = flags.duration === undefined ? undefined : parseSeconds(flags.duration, '--duration');
  const limit = flags.count === undefined ? undefined : parseCount(flags.count, '--count', 1);
  const wanted = mask === undefined ? undefined : new Set<EventType>(mask);
  const palette = createPalette(!flags.ndjson && colorEnabled(flags, Boolean(process.stdout.isTTY), process.env));
  const out = createOutput();

  const seen = { new: 0, update: 0, destroy: 0 };
  let shown = 0;
  let lost = 0;
  // lines that are neither events nor conntrack's chatter, reported as list reports its own
  const report = emptyReport();
  let failure: CtflowError | undefined;
  let flushing = false;
  // events arrive a few at a time: hand them to stdout at once, not when 64 KiB have piled up
  const flushSoon = (): void => {
    if (flushing) return;
    flushing = true;
    setImmediate(() => {
      flushing = false;
      void out.flush();
    });
  };

  const render = (e: ConnEvent): string => {
    if (flags.ndjson) {
      const json = eventToJson(e);
      return JSON.stringify(extras === undefined ? json : { ...json, conn: { ...json.conn, ...extraJson(e.conn, extras) } });
    }
    const text = eventText(e, palette);
    return extras === undefined ? text : `${text} ${extraTableCells(e.conn, extras).join(' ')}`;
  };

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // before conntrack is spawned: a signal that arrives as it starts must still end us cleanly
  const onSignal = (): void => finish();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const skip = (text: string, lineNumber: number): void => {
    countSkipped(report, lineNumber);
    if (flags.strict && failure === undefined) {
      // thrown only after conntrack is stopped: this may run in a subprocess's data handler
      failure = unparseableLineError(lineNumber, text, 'a connection event');
      finish();
    }
  };
  const stream = openEventStream(source, {
    line(text, lineNumber) {
      if (shown === limit || failure !== undefined) return;
      const e = parseEventLine(text);
      if (e === undefined) {
        if (!isEventChatter(text)) skip(text, lineNumber);
        return;
      }
      if (wanted !== undefined && !wanted.has(e.type)) return;
      seen[e.type]++;
      if (!filter(e.conn)) return;
      shown++;
      out.write(render(e) + '\n');
      flushSoon();
      if (shown === limit || out.closed) finish();
    },
    overlong(lineNumber) {
      if (shown !== limit && failure === undefined) skip(OVERLONG, lineNumber);
    },
    lost() {
      lost++;
      if (flags.ndjson) {
        out.write(JSON.stringify(lostToJson(Date.now() / 1000, lost)) + '\n');
        flushSoon();
      }
      if (lost === 1) {
        process.stderr.write('ctflow: conntrack is losing events (ENOBUFS: its netlink buffer overflowed); a larger --buffer-size helps\n');
      }
    },
  });

  const timer = duration === undefined ? undefined : setTimeout(finish, duration * 1000);
  try {
    await Promise.race([stream.done, finished]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    await stream.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await out.end();
  }
  // only after a clean end: a failure is reported alone, by cli.ts
  if (failure !== undefined) throw failure;
  const skipped = skippedMessage(report);
  if (skipped !== undefined) process.stderr.write(`${skipped}\n`);
  const total = seen.new + seen.update + seen.destroy;
  process.stderr.write(
    `ctflow: ${total} events seen (${seen.new} new, ${seen.update} update, ${seen.destroy} destroy), ${shown} shown, ` +
      `${lost} losses reported by conntrack (ENOBUFS)\n`,
  );
}
