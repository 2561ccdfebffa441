// One human line per conntrack event:
//   09:24:51.122787 NEW     tcp  SYN_SENT    10.1.0.2:38670 -> 10.2.0.2:80  snat 10.2.0.1:38670  [UNREPLIED] mark=23552
//   09:24:54.963280 DESTROY tcp  CLOSE       10.1.0.2:55340 -> 10.2.0.2:7008  5/368 B  3/3.1 KiB [ASSURED] by conntrack
// Time is local (TZ) with microseconds, shown only when the text carried a timestamp.

import type { ConnEvent } from '../parse/event-line.js';
import { endpoint, tupleDetail } from './endpoint.js';
import { humanBytes } from './human.js';
import type { Palette } from './palette.js';
import { terminalText } from './terminal-text.js';
import { localClock } from './clock-time.js';

export function eventText(e: ConnEvent, p: Palette): string {
  const c = e.conn;
  const o = c.original;
  const parts: string[] = [];
  if (e.time !== undefined) parts.push(p.dim(localClock(e.time, 6)));
  const tag = e.type.toUpperCase().padEnd(7);
  parts.push(e.type === 'new' ? p.good(tag) : e.type === 'destroy' ? p.bad(tag) : p.warn(tag));
  parts.push(p.proto(c.protocol.padEnd(4)));
  if (c.state !== undefined) parts.push(p.state(c.state.padEnd(11)));
  let flow = `${p.addr(endpoint(o.src, o.sport))} -> ${p.addr(endpoint(o.dst, o.dport))}`;
  const detail = tupleDetail(o);
  if (detail !== '') flow += ` ${detail}`;
  parts.push(flow);
  // where NAT sent it: the reply tuple names the real server (DNAT) and the translated source (SNAT)
  if (c.nat === 'dnat' || c.nat === 'both') parts.push(p.nat(`dnat ${endpoint(c.reply.src, c.reply.sport)}`));
  if (c.nat === 'snat' || c.nat === 'both') parts.push(p.nat(`snat ${endpoint(c.reply.dst, c.reply.dport)}`));
  if (o.packets !== undefined) {
    parts.push(`${o.packets}/${humanBytes(o.bytes)}`, `${c.reply.packets ?? 0}/${humanBytes(c.reply.bytes)}`);
  }
  if (c.unreplied) parts.push('[UNREPLIED]');
  if (c.assured) parts.push('[ASSURED]');
  if (c.mark !== 0) parts.push(`mark=${c.mark}`);
  if (c.zone !== 0) parts.push(`zone=${c.zone}`);
  // text from the event: its control characters are shown escaped, never sent to the terminal
  if (c.helper !== undefined) parts.push(`helper=${terminalText(c.helper)}`);
  if (c.labels !== undefined && c.labels.length > 0) parts.push(`labels=${terminalText(c.labels.join(','))}`);
  if (e.userspace !== undefined) {
    const by = e.userspace.progname === undefined ? `portid ${e.userspace.portid}` : terminalText(e.userspace.progname);
    parts.push(p.dim(`by ${by}`));
  }
  return parts.join(' ');
}
