// `ctflow watch`: conntrack's live events (or saved event text), filtered like `list`, one line
// (or one NDJSON object) per event. Ends at the end of the input, after --duration or --count, or
// on SIGINT/SIGTERM; always stops conntrack first and says on stderr what it saw and lost.

import { Command } from 'commander';
import { usageError } from '../errors.js';
import { compileFilter } from '../filter/compile-filter.js';
import { parseCount, parseSeconds } from '../filter/option-values.js';
import { openEventStream, type EventSourceOptions } from '../kernel/event-stream.js';
import { createOutput } from '../output.js';
import { parseEventLine, type EventType } from '../parse/event-line.js';
import { eventToJson, lostToJson } from '../render/event-json.js';
import { eventText } from '../render/event-text.js';
import { colorEnabled, createPalette } from '../render/palette.js';
import { addFilterOptions, filterFrom, type FilterFlags } from './options.js';

interface WatchFlags extends FilterFlags {
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

/** "-f ipv6 --zone 3": conntrack arguments split on blanks (never through a shell). */
export function splitExecArgs(text: string): string[] {
  return text.split(/\s+/).filter((a) => a !== '');
}

export function watchCommand(): Command {
  const cmd = new Command('watch')
    .description('live connection events from `conntrack -E` (or saved event text), filtered, one line per event')
    .option('--file <path>', 'read saved `conntrack -E` text from a file (- for stdin) instead of running conntrack')
    .option('--stdin', 'read saved or piped `conntrack -E` text from stdin')
    .option('--conntrack-bin <path>', 'the conntrack binary to run (default: conntrack on PATH)')
    .option('--exec-args <args>', 'extra arguments for `conntrack -E`, split on blanks (e.g. "-z --orig-zone 3")')
    .option('-b, --buffer-size <bytes>', 'netlink socket buffer size for conntrack (conntrack -b); raise it when events are lost')
    .option('-e, --event-mask <types>', 'only these events: NEW, UPDATE, DESTROY or ALL, comma separated (conntrack -e)')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--count <n>', 'stop after N events (after filters)')
    .option('--ndjson', 'one JSON object per event (and per lost-events warning)')
    .option('--no-color', 'no colours (also when NO_COLOR is set)');
  addFilterOptions(cmd);
  return cmd.action(async (flags: WatchFlags) => runWatch(flags));
}

async function runWatch(flags: WatchFlags): Promise<void> {
  const filter = compileFilter(filterFrom(flags));
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

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // before conntrack is spawned: a signal that arrives as it starts must still end us cleanly
  const onSignal = (): void => finish();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stream = openEventStream(source, {
    line(text) {
      if (shown === limit) return;
      const e = parseEventLine(text);
      if (e === undefined) return;
      if (wanted !== undefined && !wanted.has(e.type)) return;
      seen[e.type]++;
      if (!filter(e.conn)) return;
      shown++;
      out.write((flags.ndjson ? JSON.stringify(eventToJson(e)) : eventText(e, palette)) + '\n');
      flushSoon();
      if (shown === limit || out.closed) finish();
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
  const total = seen.new + seen.update + seen.destroy;
  process.stderr.write(
    `ctflow: ${total} events seen (${seen.new} new, ${seen.update} update, ${seen.destroy} destroy), ${shown} shown, ` +
      `${lost} losses reported by conntrack (ENOBUFS)\n`,
  );
}
