// Protocol names and states this version knows. A name it does not know is no reason to drop an
// entry (a newer kernel may add a protocol tracker or a state), but a typo in a saved table should
// not go unnoticed either: the reader keeps such entries and counts them by what was unknown, and
// the count is reported once on stderr.

import { PROTOCOL_BY_NUMBER, PROTOCOL_NUMBER, PROTOCOL_STATES, type Conn } from '../model.js';

/** What the kernel and conntrack-tools print for a protocol they have no name for. */
export const UNKNOWN_PROTOCOL = 'unknown';

/**
 * Why a printed protocol name and number disagree (`tcp 119`), or undefined when they agree: a
 * known name must come with its number, and a known number with its name or `unknown` (the
 * kernel prints DCCP without a tracker, ESP and AH as `unknown`).
 */
export function protocolMismatch(name: string, protonum: number): string | undefined {
  const number = PROTOCOL_NUMBER.get(name);
  if (number !== undefined) return number === protonum ? undefined : `protocol ${name} is number ${number}, got ${protonum}`;
  const canonical = PROTOCOL_BY_NUMBER.get(protonum);
  if (canonical === undefined || name === UNKNOWN_PROTOCOL) return undefined;
  return `protocol ${protonum} is ${canonical} (or ${UNKNOWN_PROTOCOL}), got ${name}`;
}

/** Whether `state` is one conntrack prints for `protocol`. */
export function isKnownState(protocol: string, state: string): boolean {
  return PROTOCOL_STATES[protocol]?.includes(state) === true;
}

/**
 * What is unknown about a parsed entry, as the stderr report names it (`state "FOO" for tcp`,
 * `protocol "foo"`), or undefined when both its protocol name and its state are known.
 */
export function unknownNameOf(c: Conn): string | undefined {
  if (!PROTOCOL_NUMBER.has(c.protocol) && c.protocol !== UNKNOWN_PROTOCOL) return `protocol "${c.protocol}"`;
  if (c.state !== undefined && !isKnownState(c.protocol, c.state)) return `state "${c.state}" for ${c.protocol}`;
  return undefined;
}
