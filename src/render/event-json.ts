// The NDJSON shape of `watch`: one object per event, the connection as `list --json` prints it,
// and one object per lost-events warning so a consumer knows its stream has a gap.
//   {"event":"new","time":1795512291.122787,"userspace":null,"conn":{…}}
//   {"event":"lost","time":1795512299.5,"lost":1}

import type { ConnEvent } from '../parse/event-line.js';
import { connToJson, type ConnJson } from './conn-json.js';

export interface EventJson {
  event: 'new' | 'update' | 'destroy';
  time: number | null;
  userspace: { portid: number; progname: string | null } | null;
  conn: ConnJson;
}

export interface LostJson {
  event: 'lost';
  /** when ctflow saw the warning (epoch seconds); conntrack gives none */
  time: number;
  /** warnings so far, this one included; each is an unknown number of lost events */
  lost: number;
}

export function eventToJson(e: ConnEvent): EventJson {
  return {
    event: e.type,
    time: e.time ?? null,
    userspace: e.userspace === undefined ? null : { portid: e.userspace.portid, progname: e.userspace.progname ?? null },
    conn: connToJson(e.conn),
  };
}

export function lostToJson(time: number, lost: number): LostJson {
  return { event: 'lost', time, lost };
}
