// One API request: the JSON text read from stdin, checked field by field. Validation collects
// every problem (NethServer's UI shows them per field) and never throws: the result is either the
// typed request or the list of attributes for the documented error object
//   {"type":"NotValid","message":"validation_failed","attributes":[{"parameter","value","error"}]}.
// A key given twice is refused (never "the last one wins"), and so is nesting past MAX_REQUEST_DEPTH.
// Only JSON numbers count as numbers for time/expand; ports also take digit strings, because the
// read API itself returns ports as strings and a UI deletes what it listed, and so does limit,
// because NethServer's UI sends the value of its <select> ("25", "100", "" for all).

import { jsonShape } from './json-shape.js';

export interface InvalidAttribute {
  parameter: string;
  value: unknown;
  error: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; attributes: InvalidAttribute[] };

/** Largest request body read from stdin: a request is a handful of fields. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Deepest nesting accepted (RFC 8259 §9 lets a parser set one): a request is one flat object. */
export const MAX_REQUEST_DEPTH = 32;

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
  const shape = jsonShape(text);
  // nothing deeper ever reaches the validators, nor JSON.stringify when a value is echoed back
  if (shape.depth > MAX_REQUEST_DEPTH) {
    return { ok: false, attributes: [invalid('request', `${shape.depth} levels of nesting`, 'invalid_json')] };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, attributes: [invalid('request', body, 'not_an_object')] };
  }
  if (shape.repeated.size > 0) {
    const attributes = [...shape.repeated].map(([key, values]) => invalid(key, values.map((v) => JSON.parse(v) as unknown), 'duplicate_parameter'));
    return { ok: false, attributes };
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

/** A JSON integer or a string of digits, in [min, max], or undefined. */
export function integerOrDigitsIn(v: unknown, min: number, max: number): number | undefined {
  return integerIn(typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v, min, max);
}

/** A port: a JSON integer or a string of digits, 0-65535. */
export function portValue(v: unknown): number | undefined {
  return integerOrDigitsIn(v, 0, 65535);
}
