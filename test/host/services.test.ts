import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePortOrService, parseServices, serviceName } from '../../src/host/services.js';
import { withEnv } from '../helpers/env.js';

// netbase's own lines, including an alias, a comment-only line and a name with two protocols
const NETBASE = [
  '# Network services, Internet style',
  'ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol',
  'domain\t\t53/tcp\t\t\t\t# Domain Name Server',
  'domain\t\t53/udp',
  'http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP',
  'https\t\t443/tcp\t\t\t\t# http protocol over TLS/SSL',
  'https\t\t443/udp\t\t\t\t# HTTP/3',
  'sctp-only\t9999/sctp',
  'bogus\t\t70000/tcp',
  '',
].join('\n');

describe('parseServices and serviceName', () => {
  const table = parseServices(NETBASE);
  it('names a port per protocol; dccp borrows tcp, udplite udp; ports above 65535 and portless protocols have none', () => {
    assert.deepStrictEqual(
      [['tcp', 443], ['udp', 443], ['tcp', 53], ['udp', 53], ['dccp', 22], ['udplite', 53], ['sctp', 9999], ['udp', 22], ['tcp', 70000], ['icmp', 8], ['tcp', 'many'], ['tcp', undefined]].map(
        ([p, n]) => serviceName(p as string, n as number, table),
      ),
      ['https', 'https', 'domain', 'domain', 'ssh', 'domain', 'sctp-only', undefined, undefined, undefined, undefined, undefined],
    );
  });
  it('keeps each name and alias with its port per protocol', () => {
    assert.deepStrictEqual(Object.fromEntries(table.ports), {
      ssh: { tcp: 22 }, domain: { tcp: 53, udp: 53 }, http: { tcp: 80 }, www: { tcp: 80 }, https: { tcp: 443, udp: 443 }, 'sctp-only': { sctp: 9999 },
    });
  });
});

describe('parsePortOrService (CTFLOW_SERVICES names the file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-services-'));
  const file = join(dir, 'services');
  writeFileSync(file, `${NETBASE}same\t\t1000/tcp\nsame\t\t2000/udp\n`);
  const withFile = <T>(path: string, f: () => T): T => withEnv('CTFLOW_SERVICES', path, f);
  it('accepts numbers as before and names (any case, aliases), preferring the protocol asked for', () => {
    assert.deepStrictEqual(
      withFile(file, () => [
        parsePortOrService('8080', '--dport'), parsePortOrService('https', '--dport'), parsePortOrService('WWW', '--port'),
        parsePortOrService('same', '--dport'), parsePortOrService('same', '--dport', 'udp'), parsePortOrService('same', '--dport', 'udplite'),
        parsePortOrService('same', '--dport', 'icmp'),
      ]),
      [8080, 443, 80, 1000, 2000, 2000, 1000],
    );
  });
  it('refuses an unknown name, and any name when the file is missing, with exit 2 and one sentence', () => {
    assert.throws(() => withFile(file, () => parsePortOrService('gopher-plus', '--sport')), {
      exitCode: 2, message: `ctflow: --sport: a port must be a number from 0 to 65535 or a service name in ${file}, got "gopher-plus"`,
    });
    const missing = join(dir, 'absent');
    assert.throws(() => withFile(missing, () => parsePortOrService('https', '--dport')), {
      exitCode: 2, message: `ctflow: --dport: a port must be a number from 0 to 65535 or a service name in ${missing}, got "https"`,
    });
    assert.throws(() => withFile(file, () => parsePortOrService('70000', '--dport')), {
      exitCode: 2, message: 'ctflow: --dport: a port must be a number from 0 to 65535, got "70000"',
    });
  });
});
