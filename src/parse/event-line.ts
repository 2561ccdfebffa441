// One line of `conntrack -E` output → one event, or undefined when the line is not an event.
//
//   [1795512291.122787]<TAB>    [NEW] tcp      6 120 SYN_SENT src=… [UNREPLIED] src=… mark=23552
//                            [UPDATE] ipv4     2 tcp      6 60 SYN_RECV src=… id=1774918727
//                           [DESTROY] tcp      6 6 CLOSE src=… delta-time=3 [USERSPACE] portid=3103049334 progname=conntrack
//
// The optional `[SECONDS.MICROS]\t` prefix comes from `-o timestamp`; the tag is right-aligned in
// 9 columns; a deletion made through ctnetlink (`conntrack -D`) ends with a `[USERSPACE]` suffix.
// What is left in the middle is a table line without use=, so the connection itself is read by
// the table line parser (parseEventConn).
// Never throws.

import { parseEventConn } from './conn-line.js';
import { hasControl } from '../source/line-text.js';
import type { Conn } from '../model.js';

export type EventType = 'new' | 'update' | 'destroy';

export interface ConnEvent {
  type: EventType;
  /** epoch seconds (with microseconds) from the `-o timestamp` prefix */
  time: number | undefined;
  /** who caused it, when a userspace program (conntrack -D, -U) did */
  userspace: { portid: number; progname: string | undefined } | undefined;
  conn: Conn;
}

const USERSPACE = ' [USERSPACE]';

/** `[SECONDS.MICROS]` → epoch seconds, or undefined when the text is not one. */
function parseStamp(text: string): number | undefined {
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? '' : text.slice(dot + 1);
  if (whole.length === 0 || whole.length > 12 || frac.length > 9) return undefined;
  if (!/^\d+$/.test(whole) || (frac !== '' && !/^\d+$/.test(frac))) return undefined;
  return Number(dot < 0 ? whole : `${whole}.${frac}`);
}

/** The `[USERSPACE]` suffix's fields; null when a key holds a control character (no such suffix is conntrack's). */
function parseUserspace(text: string): ConnEvent['userspace'] | null {
  let portid: number | undefined;
  let progname: string | undefined;
  for (const word of text.split(' ')) {
    const eq = word.indexOf('=');
    if (hasControl(word, 0, eq < 0 ? word.length : eq)) return null;
    if (word.startsWith('portid=')) {
      const v = word.slice(7);
      if (/^\d+$/.test(v)) portid = Number(v);
    } else if (word.startsWith('progname=')) {
      progname = word.slice(9);
    }
  }
  return portid === undefined ? undefined : { portid, progname };
}

export function parseEventLine(line: string): ConnEvent | undefined {
  let pos = 0;
  let time: number | undefined;
  if (line.charCodeAt(0) === 91 /* [ */) {
    // either the timestamp prefix or a tag that fills all 9 columns ([DESTROY])
    const close = line.indexOf(']');
    if (close < 0) return undefined;
    if (line.charCodeAt(close + 1) === 9 /* TAB */) {
      time = parseStamp(line.slice(1, close));
      if (time === undefined) return undefined;
      pos = close + 2;
    }
  }
  while (line.charCodeAt(pos) === 32) pos++;
  if (line.charCodeAt(pos) !== 91) return undefined;
  const tagEnd = line.indexOf('] ', pos);
  if (tagEnd < 0) return undefined;
  let type: EventType;
  switch (line.slice(pos + 1, tagEnd)) {
    case 'NEW': type = 'new'; break;
    case 'UPDATE': type = 'update'; break;
    case 'DESTROY': type = 'destroy'; break;
    default: return undefined;
  }
  let body = line.slice(tagEnd + 2);
  let userspace: ConnEvent['userspace'];
  const us = body.lastIndexOf(USERSPACE);
  if (us >= 0) {
    const suffix = parseUserspace(body.slice(us + USERSPACE.length).trim());
    if (suffix === null) return undefined;
    userspace = suffix;
    body = body.slice(0, us);
  }
  const conn = parseEventConn(body);
  if (conn === undefined) return undefined;
  return { type, time, userspace, conn };
}

/**
 * conntrack's netlink socket overflowed and the kernel dropped events. conntrack prints
 * "WARNING: We have hit ENOBUFS! We are losing events." (then three lines of advice) on stderr and
 * keeps listening; each warning is one overflow, of an unknown number of events.
 */
export function isLostEventsLine(line: string): boolean {
  return line.indexOf('We have hit ENOBUFS') >= 0;
}

/** "conntrack v1.4.7 (conntrack-tools): 31 flow events have been shown." → 31 */
export function shownEventsCount(line: string): number | undefined {
  const m = /: (\d+) flow events have been shown\./.exec(line);
  return m === null ? undefined : Number(m[1]);
}
