// Names for the bit fields of a connection mark. Firewalls pack several facts into the 32-bit
// mark (NethServer: provider = mark >> 16, ndpi = (mark & 0xff00) >> 8, prio = mark & 0xff);
// `--mark-map FILE` says where each field sits and what its values mean.
//
// The file is JSON, one entry per field, in the order the columns should appear:
//   {
//     "provider": { "mask": "0xffff0000", "names": { "1": "wan1", "2": "wan2" } },
//     "ndpi":     { "mask": "0xff00", "shift": 8, "names": { "7": "HTTP" } },
//     "prio":     { "mask": "0xff", "names": { "1": "high" } }
//   }
// mask: number or "0x…" string (required); shift: how far to shift right after masking
// (default: the mask's trailing zero bits); names: value (decimal or "0x…") → name (optional).
// A field's value is (mark & mask) >>> shift, shown as its name, else as a decimal number;
// 0 without a name shows as "" (an unset field).

import { readFile } from 'node:fs/promises';
import { fileError } from '../file-error.js';
import { CtflowError, usageError } from '../errors.js';

export interface MarkField {
  name: string;
  mask: number;
  shift: number;
  names: ReadonlyMap<number, string>;
}

export interface MarkMap {
  readonly fields: readonly MarkField[];
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,31}$/;

function u32(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^0x[0-9a-f]{1,8}$/i.test(v)) n = parseInt(v, 16);
  else if (typeof v === 'string' && /^\d{1,10}$/.test(v)) n = Number(v);
  else return undefined;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

function trailingZeros(mask: number): number {
  if (mask === 0) return 0;
  let n = 0;
  while (((mask >>> n) & 1) === 0) n++;
  return n;
}

/** The JSON text of a mark map → its fields; a usage error names the first bad part. */
export function parseMarkMap(text: string, source: string): MarkMap {
  const fail = (rule: string, got: unknown): CtflowError =>
    usageError(`ctflow: --mark-map ${source}: ${rule}, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw fail('must be JSON', (err as Error).message);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw fail('must be an object {"FIELD": {"mask": …, "names": {…}}}', body);
  }
  const fields: MarkField[] = [];
  for (const [name, spec] of Object.entries(body as Record<string, unknown>)) {
    if (!FIELD_NAME.test(name)) throw fail('a field name is a letter or _ then up to 31 letters, digits, _ or -', name);
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw fail(`${name} must be an object with a mask`, spec);
    const s = spec as Record<string, unknown>;
    const unknown = Object.keys(s).find((k) => k !== 'mask' && k !== 'shift' && k !== 'names');
    if (unknown !== undefined) throw fail(`${name}: known keys are mask, shift, names`, unknown);
    const mask = u32(s.mask);
    if (mask === undefined || mask === 0) throw fail(`${name}.mask must be a non-zero 32-bit number or "0x…" string`, s.mask);
    const shift = s.shift === undefined ? trailingZeros(mask) : s.shift;
    if (typeof shift !== 'number' || !Number.isInteger(shift) || shift < 0 || shift > 31) {
      throw fail(`${name}.shift must be a whole number 0-31`, s.shift);
    }
    const names = new Map<number, string>();
    if (s.names !== undefined) {
      if (s.names === null || typeof s.names !== 'object' || Array.isArray(s.names)) throw fail(`${name}.names must be an object`, s.names);
      for (const [key, value] of Object.entries(s.names as Record<string, unknown>)) {
        const n = u32(key);
        if (n === undefined) throw fail(`${name}.names keys must be numbers (decimal or 0x…)`, key);
        if (typeof value !== 'string') throw fail(`${name}.names values must be strings`, value);
        names.set(n, value);
      }
    }
    fields.push({ name, mask, shift, names });
  }
  return { fields };
}

export async function loadMarkMap(file: string): Promise<MarkMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fileError(file, err as NodeJS.ErrnoException, false);
  }
  return parseMarkMap(text, file);
}

/** The numeric value of one field in a mark. */
export function markFieldValue(field: MarkField, mark: number): number {
  return ((mark & field.mask) >>> 0) >>> field.shift;
}

/** The shown value of one field: its name, else the number, "" for an unnamed 0. */
export function markFieldText(field: MarkField, mark: number): string {
  const v = markFieldValue(field, mark);
  const name = field.names.get(v);
  if (name !== undefined) return name;
  return v === 0 ? '' : String(v);
}

/** Every field of the map → its shown value, in map order. */
export function markNames(map: MarkMap, mark: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of map.fields) out[f.name] = markFieldText(f, mark);
  return out;
}
