// The pieces of a JSON writer that puts UTF-8 bytes straight into an output buffer: constant
// text as pre-encoded segments, plain ASCII strings byte by byte, numbers as digits. Writers of
// many records (conn-json-bytes.ts, flows-json-bytes.ts) build on these; anything they cannot
// write exactly as JSON.stringify would (text needing escapes, a number that is not a safe
// non-negative integer) sets `written.bad`, and the writer falls back to its string form.

/** Longest string field written (a record's strings + keys + numbers stay under its maximum). */
export const MAX_STRING = 256;

/** Set when a field could not be written; a writer clears it first and checks it last. */
export const written = { bad: false };

export const seg = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export const NULL = seg('null');
export const TRUE = seg('true');
export const FALSE = seg('false');

export function lit(buf: Uint8Array, pos: number, s: Uint8Array): number {
  const n = s.length;
  // a byte loop beats set()'s call for short text; long segments are copied natively
  if (n > 24) buf.set(s, pos);
  else for (let i = 0; i < n; i++) buf[pos + i] = s[i]!;
  return pos + n;
}

/** A JSON string for plain printable ASCII text (the only kind addresses and names contain). */
export function str(buf: Uint8Array, pos: number, s: string): number {
  const n = s.length;
  if (n > MAX_STRING) {
    written.bad = true;
    return pos;
  }
  buf[pos++] = 34;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) {
      written.bad = true;
      return pos;
    }
    buf[pos++] = c;
  }
  buf[pos++] = 34;
  return pos;
}

export function strOrNull(buf: Uint8Array, pos: number, s: string | undefined): number {
  return s === undefined ? lit(buf, pos, NULL) : str(buf, pos, s);
}

/** A non-negative safe integer as decimal digits, exactly as JSON.stringify prints it. */
export function num(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0 && n < 10 && (n | 0) === n) {
    buf[pos] = 48 + n;
    return pos + 1;
  }
  if (!(n >= 0 && Number.isSafeInteger(n))) {
    written.bad = true;
    return pos;
  }
  let len = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
  let p = pos + len;
  if (n <= 0x7fffffff) {
    let m = n | 0;
    while (m >= 10) {
      const q = (m / 10) | 0;
      buf[--p] = 48 + (m - q * 10);
      m = q;
    }
    buf[--p] = 48 + m;
    return pos + len;
  }
  while (n >= 10) {
    const q = Math.floor(n / 10);
    buf[--p] = 48 + (n - q * 10);
    n = q;
  }
  buf[--p] = 48 + n;
  return pos + len;
}

export function numOrNull(buf: Uint8Array, pos: number, n: number | undefined): number {
  return n === undefined ? lit(buf, pos, NULL) : num(buf, pos, n);
}

/** A number, or null for the -1 that marks "absent" (ConnScan's convention; records use undefined). */
export function numOrNeg(buf: Uint8Array, pos: number, n: number): number {
  return n < 0 ? lit(buf, pos, NULL) : num(buf, pos, n);
}

export function bool(buf: Uint8Array, pos: number, b: boolean): number {
  return lit(buf, pos, b ? TRUE : FALSE);
}

