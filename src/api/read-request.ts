// `ctflow api read` requests: protocols, conntrack and stats, validated into typed values.
//   {"action":"protocols"}
//   {"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","limit":25,"expand":1}
//   {"action":"stats","time":900}
// protocol/state "" or absent mean all; limit ≤ 0, "" or absent means all (at most MAX_LIMIT) and
// may be a digit string; expand is 0/1 or a boolean; time is a whole number of seconds, 1 to
// MAX_TIME, default 900.

import { PROTOCOL_NUMBER, PROTOCOL_STATES } from '../model.js';
import { checkAction, integerIn, integerOrDigitsIn, invalid, unknownFields, type Checked, type InvalidAttribute } from './request.js';

export const READ_ACTIONS = ['protocols', 'conntrack', 'stats'] as const;
export type ReadAction = (typeof READ_ACTIONS)[number];

export const MAX_LIMIT = 1_000_000;
export const DEFAULT_TIME = 900;
/** netdata keeps an hour at full resolution by default; a day is already generous */
export const MAX_TIME = 86_400;

export type ReadRequest =
  | { action: 'protocols' }
  | {
      action: 'conntrack';
      /** protocol number, undefined = all */
      protocol: number | undefined;
      state: string | undefined;
      /** 0 = all */
      limit: number;
      expand: boolean;
    }
  | { action: 'stats'; time: number };

const ALLOWED: Record<ReadAction, readonly string[]> = {
  protocols: [],
  conntrack: ['protocol', 'state', 'limit', 'expand'],
  stats: ['time'],
};

const ALL_STATES = new Set(Object.values(PROTOCOL_STATES).flat());

/** A protocol name ("" or absent = all) → its number; undefined with an attribute when unknown. */
export function checkProtocol(v: unknown, bad: InvalidAttribute[], { required = false } = {}): { name: string; number: number } | undefined {
  if (v === undefined || v === '') {
    if (required) bad.push(invalid('protocol', v ?? '', 'required'));
    return undefined;
  }
  const name = typeof v === 'string' ? v.toLowerCase() : undefined;
  const number = name === undefined ? undefined : PROTOCOL_NUMBER.get(name);
  if (name === undefined || number === undefined) {
    bad.push(invalid('protocol', v, 'invalid_protocol'));
    return undefined;
  }
  return { name, number };
}

export function validateReadRequest(body: Record<string, unknown>): Checked<ReadRequest> {
  const action = checkAction(body, READ_ACTIONS);
  if (!action.ok) return action;
  const bad = unknownFields(body, ALLOWED[action.value]);
  let request: ReadRequest;
  switch (action.value) {
    case 'protocols':
      request = { action: 'protocols' };
      break;
    case 'conntrack': {
      const protocol = checkProtocol(body.protocol, bad);
      let state: string | undefined;
      if (body.state !== undefined && body.state !== '') {
        const s = typeof body.state === 'string' ? body.state.toUpperCase() : undefined;
        // a state must exist (a typo never passes), but may belong to another protocol than the one
        // named: NethServer's UI keeps the state selected for tcp when the protocol becomes udp,
        // and the exact answer to "udp entries in ESTABLISHED" is none, as the original gave
        if (s === undefined || !ALL_STATES.has(s)) bad.push(invalid('state', body.state, 'invalid_state'));
        else state = s;
      }
      let limit = 0;
      if (body.limit !== undefined && body.limit !== null && body.limit !== '') {
        // NethServer's UI sends its <select>'s value: "25", "100", or "" for all
        const n = integerOrDigitsIn(body.limit, Number.MIN_SAFE_INTEGER, MAX_LIMIT);
        if (n === undefined) bad.push(invalid('limit', body.limit, 'invalid_limit'));
        else limit = Math.max(0, n);
      }
      let expand = false;
      if (body.expand !== undefined) {
        if (body.expand === 0 || body.expand === 1 || typeof body.expand === 'boolean') expand = Boolean(body.expand);
        else bad.push(invalid('expand', body.expand, 'invalid_expand'));
      }
      request = { action: 'conntrack', protocol: protocol?.number, state, limit, expand };
      break;
    }
    case 'stats': {
      let time = DEFAULT_TIME;
      if (body.time !== undefined) {
        const n = integerIn(body.time, 1, MAX_TIME);
        if (n === undefined) bad.push(invalid('time', body.time, 'invalid_time'));
        else time = n;
      }
      request = { action: 'stats', time };
      break;
    }
  }
  return bad.length > 0 ? { ok: false, attributes: bad } : { ok: true, value: request };
}
