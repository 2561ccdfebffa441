import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { connToJson, connToJsonLine } from '../../src/render/conn-json.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';

test('connToJsonLine is JSON.stringify(connToJson(c)) for every fixture record', () => {
  let records = 0;
  for (const file of fixtureFiles()) {
    for (const [s, e] of lineRanges(file.bytes)) {
      const c = parseConnLine(file.bytes.toString('latin1', s, e));
      if (c === undefined) continue;
      records++;
      assert.equal(connToJsonLine(c), `${JSON.stringify(connToJson(c))}\n`);
    }
  }
  assert.ok(records > 1000, `${records} records`);
});

test('escapes strings that need it exactly as JSON.stringify does', () => {
  const c = parseConnLine(
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=1 dport=2 src=10.0.1.2 dst=10.0.0.2 sport=2 dport=1 [ASSURED] mark=0 secctx=sys"t\\em helper=f\x01tp use=1 labels=a"b,\xe9 new=v\x7f"al',
  );
  assert.notEqual(c, undefined);
  assert.equal(connToJsonLine(c!), `${JSON.stringify(connToJson(c!))}\n`);
  assert.deepStrictEqual(JSON.parse(connToJsonLine(c!)), connToJson(c!));
});
