// What JSON.parse does not say about a request text: how deeply it nests, and which keys of the
// top-level object it repeats. JSON.parse keeps the last of two equal keys without a word (so does
// jq, which NethServer's own delete script used), so {"action":"connection","action":"flush"}
// would flush; the API refuses such a request instead of guessing which one was meant.
//
// Hand-written rather than a parser library because the job is one linear pass over text that
// JSON.parse has already accepted (at most 64 KiB): no grammar errors to report, only brackets,
// strings and commas to follow. It keeps no stack, so 30000 nested arrays cost nothing, where a
// recursive parser (or JSON.stringify of the result) would overflow the call stack.

export interface JsonShape {
  /** deepest nesting of arrays and objects: 0 for a bare scalar, 1 for {"a":1} */
  depth: number;
  /** top-level keys given more than once → the JSON text of each of their values, in order */
  repeated: Map<string, string[]>;
}

/** Index of the quote closing the JSON string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text.charCodeAt(i) !== 0x22 /* " */) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
  return i;
}

/** The shape of `text`, which must already be valid JSON (JSON.parse accepted it). */
export function jsonShape(text: string): JsonShape {
  const values = new Map<string, string[]>();
  const topObject = text.trimStart().startsWith('{');
  let depth = 0;
  let deepest = 0;
  let expectKey = false; // at depth 1 after `{` or `,`: the next string is a key of the top object
  let key: string | undefined;
  let valueStart = 0;
  const endValue = (end: number): void => {
    if (key === undefined) return;
    const list = values.get(key) ?? [];
    list.push(text.slice(valueStart, end).trim());
    values.set(key, list);
    key = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      // keys are compared decoded: "\u0061ction" is "action"
      if (expectKey) key = JSON.parse(text.slice(i, end + 1)) as string;
      expectKey = false;
      i = end;
    } else if (ch === '{' || ch === '[') {
      depth++;
      if (depth > deepest) deepest = depth;
      expectKey = depth === 1 && ch === '{';
    } else if (ch === '}' || ch === ']') {
      if (depth === 1) endValue(i);
      depth--;
    } else if (depth === 1) {
      if (ch === ':') valueStart = i + 1;
      else if (ch === ',') {
        endValue(i);
        expectKey = topObject;
      }
    }
  }
  const repeated = new Map([...values].filter(([, list]) => list.length > 1));
  return { depth: deepest, repeated };
}
