import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileFilter, type FilterOptions } from '../../src/filter/compile-filter.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import type { Conn } from '../../src/model.js';
import { fixture } from '../helpers/cli.js';

const table = (rel: string): Conn[] =>
  readFileSync(fixture(rel), 'latin1').split('\n').filter(Boolean).map((l) => parseConnLine(l)!);
const router = table('nat-router/proc_nf_conntrack.txt');
const inserted = table('inserted/proc_nf_conntrack.txt');
const count = (conns: Conn[], f: FilterOptions): number => conns.filter(compileFilter(f)).length;

describe('compileFilter', () => {
  const cases: [string, Conn[], FilterOptions, number][] = [
    ['no filter keeps everything', router, {}, 34],
    ['family', router, { family: 'ipv6' }, 8],
    ['protocol number', router, { proto: 6 }, 21],
    ['state list', router, { state: ['TIME_WAIT', 'CLOSE'] }, 9],
    ['source CIDR', router, { src: '10.1.0.0/24' }, 25],
    ['destination address', router, { dst: '10.2.0.3' }, 2],
    ['IPv6 CIDR', router, { dst: 'fd00:a2::/64' }, 8],
    ['IPv6 written in full form', router, { dst: 'fd00:00a2:0000:0000:0000:0000:0000:0003' }, 2],
    ['reply source', router, { replySrc: '10.2.0.2' }, 22],
    ['reply destination CIDR', router, { replyDst: '10.2.0.0/16' }, 24],
    ['original source port', router, { sport: 43426 }, 1],
    ['original destination port', router, { dport: 80 }, 3],
    ['reply ports', router, { replyPortSrc: 80, replyPortDst: 58518 }, 1],
    ['any port', router, { port: 53 }, 3],
    ['mark', router, { mark: { value: 23552, mask: 0xffffffff } }, 4],
    ['mark with mask', router, { mark: { value: 0, mask: 0xff00 } }, 24 + 3 + 1 + 0],
    // as conntrack -m: (mark & 0xff00) is never 0x5c01, so the four entries marked 0x5c00 do not match
    ['mark with a bit outside its mask', router, { mark: { value: 0x5c01, mask: 0xff00 } }, 0],
    ['zone', router, { zone: 42 }, 1],
    ['directional zone', inserted, { zone: 3 }, 1],
    ['status ASSURED', router, { status: ['ASSURED'] }, 19],
    ['status UNREPLIED', router, { status: ['UNREPLIED'] }, 6],
    ['snat', router, { snat: true }, 31],
    ['dnat', router, { dnat: true }, 6],
    ['any nat', inserted, { nat: true }, 1],
    ['everything at once', router, { proto: 6, src: '10.1.0.2', dport: 80, state: ['TIME_WAIT'], mark: { value: 23552, mask: 0xffffffff } }, 2],
  ];
  for (const [name, conns, f, n] of cases) {
    it(`filters by ${name}`, () => assert.equal(count(conns, f), n));
  }

  it('refuses a bad CIDR with a usage error', () => {
    assert.throws(() => compileFilter({ src: '10.0.0.0/33' }), { exitCode: 2, message: 'ctflow: --src: prefix length must be 0-32, got "10.0.0.0/33"' });
    assert.throws(() => compileFilter({ dst: 'example.com' }), { exitCode: 2 });
  });
});
