// The one place where a line of a table becomes a record: each line is read by the fast scanner
// (conn-bytes.ts) or, for any other shape, by parseConnLine (conn-line.ts), or it is a counted
// skip; the first skipped line is remembered for the report (or, with `strict`, ends the read at
// once). Every reader shares this handler: the in-thread read, each scan worker's batches.

import { CtflowError } from '../errors.js';
import type { Conn } from '../model.js';
import { connOfScan, scanConnBytes, type ConnScan } from './conn-bytes.js';
import { parseConnLine } from './conn-line.js';
import { lineText } from '../source/line-text.js';

/** What a line splitter calls (source/line-splitter.ts ByteLineSink has this shape). */
export interface LineHandler {
  /** one line, the bytes buf[start, end) without its newline */
  line(buf: Buffer, start: number, end: number): void;
  /** a line longer than the splitter keeps */
  overlong(): void;
}

export interface ReadReport {
  lines: number;
  records: number;
  skipped: number;
  firstSkippedLine: number | undefined;
  bytes: number;
}

/** how an overlong line is quoted by --strict */
export const OVERLONG = '<line too long>';

export function emptyReport(): ReadReport {
  return { lines: 0, records: 0, skipped: 0, firstSkippedLine: undefined, bytes: 0 };
}

/** Counts a line that could not be read, remembering the first one's number for skippedMessage. */
export function countSkipped(report: ReadReport, lineNumber: number): void {
  report.skipped++;
  if (report.firstSkippedLine === undefined) report.firstSkippedLine = lineNumber;
}

/**
 * --strict's failure: the line's number and (the start of) its text, quoted as a JSON string —
 * with DEL and the C1 controls escaped too (JSON.stringify leaves them raw), as no control
 * character of the input may reach the terminal.
 */
export function unparseableLineError(lineNumber: number, text: string, what: string): CtflowError {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  const quoted = JSON.stringify(shown).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new CtflowError(`ctflow: line ${lineNumber} is not ${what}: ${quoted}`, { code: 'EPARSE' });
}

/**
 * The line handler every reader shares (in this thread or a scan worker): each line becomes a
 * record or a counted skip. Line numbers in the report count from the reader's first line.
 * With `onScan`, a line the fast path reads goes there as a scan, and no record is made of it.
 */
export function connLineSink(
  report: ReadReport, strict: boolean, onConn: (c: Conn) => void, onScan?: ((s: ConnScan) => void) | undefined,
): LineHandler {
  const skip = (text: string): void => {
    countSkipped(report, report.lines);
    if (strict) throw unparseableLineError(report.lines, text, 'a conntrack entry');
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
        skip(text);
        return;
      }
      report.records++;
      onConn(conn);
    },
    overlong() {
      report.lines++;
      skip(OVERLONG);
    },
  };
}

/** The one stderr line for skipped input, or undefined when nothing was skipped. */
export function skippedMessage(report: ReadReport): string | undefined {
  if (report.skipped === 0) return undefined;
  const what = report.skipped === 1 ? 'line' : 'lines';
  return `ctflow: skipped ${report.skipped} unparseable ${what} (first at line ${report.firstSkippedLine})`;
}
