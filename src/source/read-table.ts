// Source → lines → Conn records, with the bookkeeping of what could not be read: every line is
// either a record or a counted skip, and the first skipped line is remembered for the report
// (or, with `strict`, ends the read at once). A last line the input ended inside (no newline
// after it) is cut off — the kernel and conntrack end every line with one — and so is a skip,
// whatever it holds: its last value may be cut short (`id=12` of `id=1234`), which no parser can
// tell from the text. Entries kept with a protocol name or state this version does not know are
// counted by name, for one stderr line each.

import { CtflowError } from '../errors.js';
import type { Conn } from '../model.js';
import { connOfScan, scanConnBytes, type ConnScan } from '../parse/conn-bytes.js';
import { parseConnLine, rejectionReason } from '../parse/conn-line.js';
import { lineText } from '../parse/line-text.js';
import { unknownNameOf } from '../parse/known-names.js';
import { ByteLineSplitter, LineSplitter, type ByteLineSink } from './line-splitter.js';
import { openSource, type SourceOptions } from './open-source.js';

export type { SourceOptions } from './open-source.js';

export interface ReadReport {
  lines: number;
  records: number;
  skipped: number;
  firstSkippedLine: number | undefined;
  bytes: number;
  /** the input ended inside its last line (no newline after it); that line is counted in skipped */
  cutOff: boolean;
  /** entries kept although a name in them is unknown to this version, by what (unknownNameOf) */
  unknownNames: Map<string, number> | undefined;
}

export interface ReadOptions extends SourceOptions {
  /** the first unparseable line is fatal */
  strict?: boolean | undefined;
  /** called with the number of bytes read so far (progress display) */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** how an overlong line is quoted by --strict */
export const OVERLONG = '<line too long>';

/** --strict's reason for a last line without its newline */
export const CUT_OFF = 'cut off: the input ended inside it, before its newline';

/** Raw lines of the source, whatever they contain. Overlong lines arrive as undefined. */
export async function readLines(
  opts: SourceOptions,
  onLine: (line: string | undefined) => void,
): Promise<number> {
  let bytes = 0;
  const splitter = new LineSplitter({ line: onLine, overlong: () => onLine(undefined) });
  for await (const chunk of openSource(opts)) {
    bytes += chunk.length;
    splitter.push(chunk);
  }
  splitter.end();
  return bytes;
}

export function emptyReport(): ReadReport {
  return { lines: 0, records: 0, skipped: 0, firstSkippedLine: undefined, bytes: 0, cutOff: false, unknownNames: undefined };
}

/** Counts `n` kept entries with the unknown name `what`. */
function countUnknown(report: ReadReport, what: string, n: number): void {
  const counts = (report.unknownNames ??= new Map());
  counts.set(what, (counts.get(what) ?? 0) + n);
}

/** Adds a later part's cut-off flag and unknown-name counts to `report` (the line counts are the caller's). */
export function absorbNotes(report: ReadReport, part: Pick<ReadReport, 'cutOff' | 'unknownNames'>): void {
  if (part.cutOff) report.cutOff = true;
  if (part.unknownNames !== undefined) for (const [what, n] of part.unknownNames) countUnknown(report, what, n);
}

/** Counts a line that could not be read, remembering the first one's number for skippedMessage. */
export function countSkipped(report: ReadReport, lineNumber: number): void {
  report.skipped++;
  if (report.firstSkippedLine === undefined) report.firstSkippedLine = lineNumber;
}

/**
 * --strict's failure: the line's number, the rule it broke when known, and (the start of) its
 * text, quoted as a JSON string — with DEL and the C1 controls escaped too (JSON.stringify leaves
 * them raw), as no control character of the input may reach the terminal.
 */
export function unparseableLineError(lineNumber: number, text: string, what: string, reason?: string): CtflowError {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  const why = reason === undefined ? '' : ` (${reason})`;
  const quoted = JSON.stringify(shown).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new CtflowError(`ctflow: line ${lineNumber} is not ${what}${why}: ${quoted}`, { code: 'EPARSE' });
}

/**
 * The line handler every reader shares (in this thread or a scan worker): each line becomes a
 * record or a counted skip. Line numbers in the report count from the reader's first line.
 * With `onScan`, a line the fast path reads goes there as a scan, and no record is made of it.
 */
export function connLineSink(
  report: ReadReport, strict: boolean, onConn: (c: Conn) => void, onScan?: ((s: ConnScan) => void) | undefined,
): ByteLineSink {
  const skip = (text: string, reason: string | undefined): void => {
    countSkipped(report, report.lines);
    if (strict) throw unparseableLineError(report.lines, text, 'a conntrack entry', reason);
  };
  return {
    line(buf, start, end) {
      report.lines++;
      // the common line shape is read from the bytes; any other goes through the full parser
      const scan = scanConnBytes(buf, start, end);
      if (scan !== undefined) {
        report.records++;
        if (onScan !== undefined) onScan(scan);
        else onConn(connOfScan(scan));
        return;
      }
      // an empty line (or a lone CR) is no entry and no skip
      if (end === start || (end === start + 1 && buf[start] === 13)) return;
      const text = lineText(buf, start, end);
      const conn = parseConnLine(text);
      if (conn === undefined) {
        skip(text, rejectionReason());
        return;
      }
      // (the fast path reads known names only)
      const unknown = unknownNameOf(conn);
      if (unknown !== undefined) countUnknown(report, unknown, 1);
      report.records++;
      onConn(conn);
    },
    overlong() {
      report.lines++;
      skip(OVERLONG, undefined);
    },
    cut(buf, start, end) {
      report.lines++;
      if (end === start + 1 && buf[start] === 13) return;
      report.cutOff = true;
      skip(buf.toString('latin1', start, end), CUT_OFF);
    },
  };
}

/** Every entry of the table, parsed, handed to `onConn` as it is read. */
export async function readTable(opts: ReadOptions, onConn: (c: Conn) => void): Promise<ReadReport> {
  const report = emptyReport();
  const splitter = new ByteLineSplitter(connLineSink(report, Boolean(opts.strict), onConn));
  // the splitter is done with a chunk when push returns, so chunks may share one buffer
  for await (const chunk of openSource(opts, true)) {
    report.bytes += chunk.length;
    splitter.push(chunk);
    opts.onProgress?.(report.bytes);
  }
  splitter.end();
  return report;
}

/**
 * The stderr lines about what was read amiss (joined by newlines), or undefined when nothing was:
 * one for skipped lines, one per unknown name of kept entries.
 */
export function skippedMessage(report: ReadReport): string | undefined {
  const out: string[] = [];
  if (report.skipped > 0) {
    const what = report.skipped === 1 ? 'line' : 'lines';
    const cut = report.cutOff ? `; the input ended inside line ${report.lines}, which is cut off` : '';
    out.push(`ctflow: skipped ${report.skipped} unparseable ${what} (first at line ${report.firstSkippedLine}${cut})`);
  }
  for (const [what, n] of report.unknownNames ?? []) out.push(`ctflow: ${n} ${n === 1 ? 'entry' : 'entries'} with unknown ${what} (kept)`);
  return out.length === 0 ? undefined : out.join('\n');
}
