// Source → lines → Conn records, with the bookkeeping of what could not be read: every line is
// either a record or a counted skip, and the first skipped line is remembered for the report
// (or, with `strict`, ends the read at once).

import { CtflowError } from '../errors.js';
import type { Conn } from '../model.js';
import { connOfScan, scanConnBytes, type ConnScan } from '../parse/conn-bytes.js';
import { parseConnLine } from '../parse/conn-line.js';
import { lineText } from '../parse/line-text.js';
import { ByteLineSplitter, LineSplitter, type ByteLineSink } from './line-splitter.js';
import { openSource, type SourceOptions } from './open-source.js';

export type { SourceOptions } from './open-source.js';

export interface ReadReport {
  lines: number;
  records: number;
  skipped: number;
  firstSkippedLine: number | undefined;
  bytes: number;
}

export interface ReadOptions extends SourceOptions {
  /** the first unparseable line is fatal */
  strict?: boolean | undefined;
  /** called with the number of bytes read so far (progress display) */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** how an overlong line is quoted by --strict */
export const OVERLONG = '<line too long>';

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
): ByteLineSink {
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

/** The one stderr line for skipped input, or undefined when nothing was skipped. */
export function skippedMessage(report: ReadReport): string | undefined {
  if (report.skipped === 0) return undefined;
  const what = report.skipped === 1 ? 'line' : 'lines';
  return `ctflow: skipped ${report.skipped} unparseable ${what} (first at line ${report.firstSkippedLine})`;
}
