// One API request: the JSON text read from stdin, checked field by field. Validation collects
// every problem (NethServer's UI shows them per field) and never throws: the result is either the
// typed request or the list of attributes for the documented error object
//   {"type":"NotValid","message":"validation_failed","attributes":[{"parameter","value","error"}]}.
// Only JSON numbers count as numbers for limit/time/expand; ports also take digit strings, because
// the read API itself returns ports as strings and a UI deletes what it listed.

export interface InvalidAttribute {
  parameter: string;
  value: unknown;
  error: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; attributes: InvalidAttribute[] };

/** Largest request body read from stdin: a request is a handful of fields. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** A value as the error object echoes it: primitives as given, anything else as short JSON text. */
export function shownValue(v: unknown): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}…` : v;
  if (v === undefined) return '';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function invalid(parameter: string, value: unknown, error: string): InvalidAttribute {
  return { parameter, value: shownValue(value), error };
}

/** Request text → a plain object, or the one attribute saying why not. */
export function parseRequestBody(text: string): Checked<Record<string, unknown>> {
  if (text.trim() === '') return { ok: false, attributes: [invalid('request', '', 'empty_request')] };
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) {
    return { ok: false, attributes: [invalid('request', `${Buffer.byteLength(text)} bytes`, 'request_too_large')] };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, attributes: [invalid('request', text, 'invalid_json')] };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, attributes: [invalid('request', body, 'not_an_object')] };
  }
  return { ok: true, value: body as Record<string, unknown> };
}

/** The action field, checked against the actions this endpoint knows. */
export function checkAction<A extends string>(body: Record<string, unknown>, actions: readonly A[]): Checked<A> {
  const action = body.action;
  if (action === undefined) return { ok: false, attributes: [invalid('action', '', 'required')] };
  if (typeof action !== 'string' || !(actions as readonly string[]).includes(action)) {
    return { ok: false, attributes: [invalid('action', action, 'invalid_action')] };
  }
  return { ok: true, value: action as A };
}

/** One attribute per field the action does not take (a typo must not be silently ignored). */
export function unknownFields(body: Record<string, unknown>, allowed: readonly string[]): InvalidAttribute[] {
  return Object.keys(body)
    .filter((k) => k !== 'action' && !allowed.includes(k))
    .map((k) => invalid(k, body[k], 'unknown_parameter'));
}

/** A JSON integer in [min, max], or undefined. */
export function integerIn(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined;
}

/** A port: a JSON integer or a string of digits, 0-65535. */
export function portValue(v: unknown): number | undefined {
  if (typeof v === 'string' && /^\d{1,5}$/.test(v)) v = Number(v);
  return integerIn(v, 0, 65535);
}
