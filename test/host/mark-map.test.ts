import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markFieldValue, markNames, parseMarkMap } from '../../src/host/mark-map.js';

const NETHSERVER = JSON.stringify({
  provider: { mask: '0xffff0000', names: { 1: 'wan1', 2: 'wan2' } },
  ndpi: { mask: '0xff00', shift: 8, names: { '0x5c': 'HTTP' } },
  prio: { mask: 255, names: { 1: 'high', 2: 'low' } },
});

test('a mark map names provider = mark >> 16, ndpi = (mark & 0xff00) >> 8, prio = mark & 0xff', () => {
  const map = parseMarkMap(NETHSERVER, 'm.json');
  assert.deepStrictEqual(map.fields.map((f) => [f.name, f.mask, f.shift, [...f.names]]), [
    ['provider', 0xffff0000, 16, [[1, 'wan1'], [2, 'wan2']]],
    ['ndpi', 0xff00, 8, [[0x5c, 'HTTP']]],
    ['prio', 0xff, 0, [[1, 'high'], [2, 'low']]],
  ]);
  const mark = (2 << 16) | (0x5c << 8) | 1;
  assert.deepStrictEqual(map.fields.map((f) => markFieldValue(f, mark)), [2, 0x5c, 1]);
  assert.deepStrictEqual(markNames(map, mark), { provider: 'wan2', ndpi: 'HTTP', prio: 'high' });
});

test('values without a name show as numbers, an unset (0) field as ""', () => {
  const map = parseMarkMap(NETHSERVER, 'm.json');
  assert.deepStrictEqual(markNames(map, 23552), { provider: '', ndpi: 'HTTP', prio: '' });
  assert.deepStrictEqual(markNames(map, 0xffffffff), { provider: '65535', ndpi: '255', prio: '255' });
  assert.deepStrictEqual(markNames(map, 0), { provider: '', ndpi: '', prio: '' });
});

test('bad mark maps are usage errors naming the part', () => {
  const bad: Array<[string, RegExp]> = [
    ['[1]', /must be an object/],
    ['{"p": {"mask": 0}}', /p\.mask must be a non-zero 32-bit number/],
    ['{"p": {"mask": "0x1ffffffff"}}', /p\.mask must be a non-zero/],
    ['{"p": {"mask": 255, "shift": 40}}', /p\.shift must be a whole number 0-31/],
    ['{"p": {"mask": 255, "names": {"x": "a"}}}', /p\.names keys must be numbers/],
    ['{"p": {"mask": 255, "names": {"1": 2}}}', /p\.names values must be strings/],
    ['{"p": {"mask": 255, "nmes": {}}}', /known keys are mask, shift, names, got "nmes"/],
    ['{"1p": {"mask": 255}}', /a field name is a letter/],
    ['not json', /must be JSON/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseMarkMap(text, 'm.json'), (err: Error & { exitCode?: number }) => re.test(err.message) && err.exitCode === 2 && err.message.includes('--mark-map m.json'), text);
  }
});
