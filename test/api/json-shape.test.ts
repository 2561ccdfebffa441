import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonShape } from '../../src/api/json-shape.js';

const shape = (text: string): { depth: number; repeated: Record<string, string[]> } => {
  const s = jsonShape(text);
  return { depth: s.depth, repeated: Object.fromEntries(s.repeated) };
};

test('a key of the top object given twice is named with the JSON text of each value, in order', () => {
  assert.deepStrictEqual(shape('{"action":"connection","action":"flush"}'), { depth: 1, repeated: { action: ['"connection"', '"flush"'] } });
  assert.deepStrictEqual(shape('{ "limit" : 1 ,\n "x": [1, {"a": 2}], "limit":\t"" }'), { depth: 3, repeated: { limit: ['1', '""'] } });
  assert.deepStrictEqual(shape('{"a":1,"b":2,"a":3,"b":{},"a":null}'), { depth: 2, repeated: { a: ['1', '3', 'null'], b: ['2', '{}'] } });
});

test('keys are compared decoded, so an escaped spelling is the same key', () => {
  assert.deepStrictEqual(shape('{"action":"connection","\\u0061ction":"flush"}'), { depth: 1, repeated: { action: ['"connection"', '"flush"'] } });
});

test('strings holding brackets, commas, colons and escaped quotes are skipped whole', () => {
  assert.deepStrictEqual(shape('{"a":"x,\\"}{[:\\\\","b":"\\"a\\":1,","a":2}'), { depth: 1, repeated: { a: ['"x,\\"}{[:\\\\"', '2'] } });
});

test('repeats inside nested values, in arrays and in a bare array are not the request’s keys', () => {
  assert.deepStrictEqual(shape('{"a":{"b":1,"b":2},"c":[{"d":1,"d":2}]}'), { depth: 3, repeated: {} });
  assert.deepStrictEqual(shape('["a","a",{"k":1,"k":2}]'), { depth: 2, repeated: {} });
  assert.deepStrictEqual(shape('"action"'), { depth: 0, repeated: {} });
  assert.deepStrictEqual(shape('{}'), { depth: 1, repeated: {} });
});

test('depth is counted without recursion: 30000 nested arrays', () => {
  assert.deepStrictEqual(shape(`${'['.repeat(30000)}${']'.repeat(30000)}`), { depth: 30000, repeated: {} });
  assert.deepStrictEqual(shape(`{"action":${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}}`), { depth: 20001, repeated: {} });
});
