import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateDeleteRequest } from '../../src/api/delete-request.js';
import { validateReadRequest } from '../../src/api/read-request.js';
import { parseRequestBody } from '../../src/api/request.js';
import { INVALID_REQUESTS } from '../helpers/api-requests.js';

function read(text: string): unknown {
  const body = parseRequestBody(text);
  if (!body.ok) return body;
  return validateReadRequest(body.value);
}

function del(text: string): unknown {
  const body = parseRequestBody(text);
  if (!body.ok) return body;
  return validateDeleteRequest(body.value);
}

const NOT_VALID = (parameter: string, value: unknown, error: string): unknown => ({ ok: false, attributes: [{ parameter, value, error }] });

test('the documented read requests validate into typed requests', () => {
  assert.deepStrictEqual(read('{"action":"protocols"}'), { ok: true, value: { action: 'protocols' } });
  assert.deepStrictEqual(read('{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","expand":0}'), {
    ok: true, value: { action: 'conntrack', protocol: 6, state: 'ESTABLISHED', limit: 0, expand: false },
  });
  assert.deepStrictEqual(read('{"action":"conntrack","protocol":"tcp","state":"ESTABLISHED","limit":25}'), {
    ok: true, value: { action: 'conntrack', protocol: 6, state: 'ESTABLISHED', limit: 25, expand: false },
  });
  assert.deepStrictEqual(read('{"action":"stats"}'), { ok: true, value: { action: 'stats', time: 900 } });
  assert.deepStrictEqual(read('{"action":"stats","time":900}'), { ok: true, value: { action: 'stats', time: 900 } });
});

test('empty protocol/state mean all, limit ≤ 0 means all, expand takes 0/1 and booleans', () => {
  assert.deepStrictEqual(read('{"action":"conntrack","protocol":"","state":"","limit":-5,"expand":true}'), {
    ok: true, value: { action: 'conntrack', protocol: undefined, state: undefined, limit: 0, expand: true },
  });
  assert.deepStrictEqual(read('{"action":"conntrack","state":"established","expand":1}'), {
    ok: true, value: { action: 'conntrack', protocol: undefined, state: 'ESTABLISHED', limit: 0, expand: true },
  });
  assert.deepStrictEqual(read('{"action":"conntrack","protocol":"SCTP","state":"COOKIE_WAIT","limit":1000000}'), {
    ok: true, value: { action: 'conntrack', protocol: 132, state: 'COOKIE_WAIT', limit: 1000000, expand: false },
  });
});

test('limit takes what NethServer\'s UI sends: a number at first, then its <select>\'s "25", "100" or "" (all)', () => {
  const limit = (v: string): unknown => read(`{"action":"conntrack","protocol":"tcp","state":"","limit":${v}}`);
  assert.deepStrictEqual([limit('25'), limit('"25"'), limit('"100"'), limit('""'), limit('"0"'), limit('"1000000"')], [25, 25, 100, 0, 0, 1000000].map((n) => ({
    ok: true, value: { action: 'conntrack', protocol: 6, state: undefined, limit: n, expand: false },
  })));
});

test('a real state of another protocol is no error but matches nothing (the UI keeps tcp\'s state when udp is picked)', () => {
  assert.deepStrictEqual(read('{"action":"conntrack","protocol":"udp","state":"ESTABLISHED","limit":"25"}'), {
    ok: true, value: { action: 'conntrack', protocol: 17, state: 'ESTABLISHED', limit: 25, expand: false },
  });
  assert.deepStrictEqual(read('{"action":"conntrack","protocol":"esp","state":"TIME_WAIT"}'), {
    ok: true, value: { action: 'conntrack', protocol: 50, state: 'TIME_WAIT', limit: 0, expand: false },
  });
});

test('nesting up to 32 levels reaches the validators; every repeated key is named', () => {
  assert.deepStrictEqual(read(`{"action":${'['.repeat(31)}${']'.repeat(31)}}`), NOT_VALID('action', `${'['.repeat(31)}${']'.repeat(31)}`, 'invalid_action'));
  assert.deepStrictEqual(del('{"action":"connection","src":"10.0.0.1","protocol":"tcp","src":"10.0.0.2","action":"flush"}'), {
    ok: false,
    attributes: [
      { parameter: 'action', value: '["connection","flush"]', error: 'duplicate_parameter' },
      { parameter: 'src', value: '["10.0.0.1","10.0.0.2"]', error: 'duplicate_parameter' },
    ],
  });
});

test('the documented delete requests validate; ports are ignored for icmp and taken as digit strings', () => {
  assert.deepStrictEqual(del('{"action":"flush"}'), { ok: true, value: { action: 'flush' } });
  assert.deepStrictEqual(del('{"action":"connection","protocol":"icmp","dport":389,"sport":46286,"src":"10.0.0.212","dst":"1.2.3.4"}'), {
    ok: true, value: { action: 'connection', tuple: { protocol: 'icmp', src: '10.0.0.212', dst: '1.2.3.4', sport: undefined, dport: undefined } },
  });
  assert.deepStrictEqual(del('{"action":"connection","protocol":"tcp","sport":"55038","dport":22,"src":"fd00:00a1::0002","dst":"fd00:a2::2"}'), {
    ok: true, value: { action: 'connection', tuple: { protocol: 'tcp', src: 'fd00:a1::2', dst: 'fd00:a2::2', sport: 55038, dport: 22 } },
  });
  assert.deepStrictEqual(del('{"action":"connection","protocol":"icmp","src":"10.0.0.1","dst":"10.0.0.2"}'), {
    ok: true, value: { action: 'connection', tuple: { protocol: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', sport: undefined, dport: undefined } },
  });
});

test('invalid requests give exactly one attribute naming the parameter, value and error', () => {
  for (const [endpoint, text, attribute] of INVALID_REQUESTS) {
    const got = endpoint === 'read' ? read(text) : del(text);
    assert.deepStrictEqual(got, NOT_VALID(attribute.parameter, attribute.value, attribute.error), text);
  }
  assert.ok(INVALID_REQUESTS.length >= 15);
});

test('every problem of a request is reported, not just the first', () => {
  assert.deepStrictEqual(del('{"action":"connection","protocol":"tcp","src":"x","dst":"y","sport":-1,"extra":true}'), {
    ok: false,
    attributes: [
      { parameter: 'extra', value: true, error: 'unknown_parameter' },
      { parameter: 'src', value: 'x', error: 'invalid_ip' },
      { parameter: 'dst', value: 'y', error: 'invalid_ip' },
      { parameter: 'sport', value: -1, error: 'invalid_port' },
      { parameter: 'dport', value: '', error: 'required' },
    ],
  });
});

test('a request larger than 64 KiB is refused before parsing', () => {
  const text = `{"action":"protocols","x":"${'a'.repeat(70000)}"}`;
  assert.deepStrictEqual(read(text), NOT_VALID('request', '70029 bytes', 'request_too_large'));
});
