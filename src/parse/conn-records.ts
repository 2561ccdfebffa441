// The one place where a line of a table becomes a record: each line is read by the fast scanner
// (conn-bytes.ts) or, for any other shape, by parseConnLine (conn-line.ts), or it is a counted
// skip; the first skipped line is remembered for the report (or, with `strict`, ends the read at
// once). Every reader shares this handler: the in-thread read, each scan worker's batches. A
// last line the input ended inside (no newline after it) is cut off — the kernel and conntrack
// end every line with one — and so is a skip, whatever it holds: its last value may be cut short
// (`id=12` of `id=1234`), which no parser can tell from the text. Entries kept with a protocol
// name or state this version does not know are counted by name, for one stderr line each. A
// sorted store's rows, read again, are lines or scans packed as read (storedRowSink).

import { CtflowError } from '../errors.js';
import type { Conn } from '../model.js';
import { connOfScan, scanConnBytes, type ConnScan } from './conn-bytes.js';
import { parseConnLine, rejectionReason } from './conn-line.js';
import { lineText } from '../source/line-text.js';
import { unknownNameOf } from './known-names.js';
import { PACKED_ROW, unpackScan } from './packed-scan.js';

/** What a line splitter calls (source/line-splitter.ts ByteLineSink has this shape). */
export interface LineHandler {
  /** one line, the bytes buf[start, end) without its newline */
  line(buf: Buffer, start: number, end: number): void;
  /** a line longer than the splitter keeps */
  overlong(): void;
  /** the last line, when the input ended inside it (no newline after it) */
  cut?(buf: Buffer, start: number, end: number): void;
}

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

/** how an overlong line is quoted by --strict */
export const OVERLONG = '<line too long>';

/** --strict's reason for a last line without its newline */
export const CUT_OFF = 'cut off: the input ended inside it, before its newline';

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
 * What a reader is handed for each entry: the record, and the line it was read from
 * (`buf[start, end)`, valid only during the call) for a consumer that keeps the line's bytes
 * instead of the record (list's sort store, aggregate/conn-store.ts).
 */
export type OnConn = (c: Conn, buf: Buffer, start: number, end: number) => void;
/** The same for a line the fast path read: its scan (overwritten by the next line) and the line. */
export type OnScan = (s: ConnScan, buf: Buffer, start: number, end: number) => void;

/**
 * The line handler every reader shares (in this thread or a scan worker): each line becomes a
 * record or a counted skip. Line numbers in the report count from the reader's first line.
 * With `onScan`, a line the fast path reads goes there as a scan, and no record is made of it.
 */
export function connLineSink(
  report: ReadReport, strict: boolean, onConn: OnConn, onScan?: OnScan | undefined,
): LineHandler {
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
        if (onScan !== undefined) onScan(scan, buf, start, end);
        else onConn(connOfScan(scan), buf, start, end);
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
      onConn(conn, buf, start, end);
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

/**
 * The line handler for a sorted store's rows (aggregate/conn-store.ts): a row that is a packed
 * scan (parse/packed-scan.ts) goes to `onScan` as unpacked, or becomes its record; any other row
 * is the line as read, handled as connLineSink handles it.
 */
export function storedRowSink(
  report: ReadReport, strict: boolean, onConn: OnConn, onScan?: OnScan | undefined,
): LineHandler {
  const lines = connLineSink(report, strict, onConn, onScan);
  return {
    line(buf, start, end) {
      if (buf[start] !== PACKED_ROW) {
        lines.line(buf, start, end);
        return;
      }
      report.lines++;
      report.records++;
      const scan = unpackScan(buf, start);
      if (onScan !== undefined) onScan(scan, buf, start, end);
      else onConn(connOfScan(scan), buf, start, end);
    },
    overlong: lines.overlong,
    cut: lines.cut,
  };
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
