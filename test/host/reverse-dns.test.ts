import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { once } from 'node:events';
import { ReverseDns, peerNames, type ReverseResolver } from '../../src/host/reverse-dns.js';

/** A resolver answering from a table, counting what it was asked. */
function tableResolver(answers: Record<string, string[] | Error>): ReverseResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async reverse(addr: string) {
      asked.push(addr);
      const a = answers[addr];
      if (a === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

test('names every address once, first PTR record, trailing dot dropped, misses stay numeric', async () => {
  const resolver = tableResolver({ '192.0.2.1': ['gw.example.', 'other.example'], 'fd00::1': ['v6.example'], '192.0.2.3': new Error('SERVFAIL') });
  const rdns = new ReverseDns({ resolver });
  const names = await rdns.resolveAll(['192.0.2.1', 'fd00::1', '192.0.2.2', '192.0.2.1', '192.0.2.3']);
  assert.deepStrictEqual([...names], [['192.0.2.1', 'gw.example'], ['fd00::1', 'v6.example']]);
  assert.deepStrictEqual(resolver.asked, ['192.0.2.1', 'fd00::1', '192.0.2.2', '192.0.2.3']);
});

test('the per-address cache answers repeats without asking again (hits and misses)', async () => {
  const resolver = tableResolver({ '192.0.2.1': ['gw.example'] });
  const rdns = new ReverseDns({ resolver });
  await rdns.resolveAll(['192.0.2.1', '192.0.2.2']);
  const again = await rdns.resolveAll(['192.0.2.2', '192.0.2.1']);
  assert.deepStrictEqual([...again], [['192.0.2.1', 'gw.example']]);
  assert.deepStrictEqual(resolver.asked, ['192.0.2.1', '192.0.2.2']);
  assert.equal(rdns.nameOf('192.0.2.1'), 'gw.example');
  assert.equal(rdns.nameOf('192.0.2.2'), undefined);
});

test('at most maxLookups addresses are asked per batch; the rest stay numeric', async () => {
  const resolver = tableResolver({ a: ['n'], b: ['n'], c: ['n'] });
  const names = await new ReverseDns({ resolver, maxLookups: 2 }).resolveAll(['a', 'b', 'c']);
  assert.deepStrictEqual(resolver.asked, ['a', 'b']);
  assert.deepStrictEqual([...names.keys()], ['a', 'b']);
});

test('the cache is bounded: past maxCached entries it starts over', async () => {
  const resolver = tableResolver({ a: ['n'] });
  const rdns = new ReverseDns({ resolver, maxCached: 2 });
  await rdns.resolveAll(['a', 'b']);
  await rdns.resolveAll(['c']); // 2 cached + 1 > 2: emptied, then c
  assert.equal(rdns.nameOf('a'), undefined);
  await rdns.resolveAll(['a']);
  assert.deepStrictEqual(resolver.asked, ['a', 'b', 'c', 'a']);
  assert.equal(rdns.nameOf('a'), 'n');
});

test('a resolver that never answers costs one deadline for the whole batch, then is cancelled', async () => {
  const timers: number[] = [];
  let cancelled = 0;
  const resolver: ReverseResolver = {
    reverse: () => new Promise<string[]>(() => undefined), // hangs forever
    cancel: () => void cancelled++,
  };
  const rdns = new ReverseDns({
    resolver,
    timeoutMs: 500,
    setTimer: (fn, ms) => {
      timers.push(ms);
      queueMicrotask(fn); // the deadline passes at once
      return {};
    },
    clearTimer: () => undefined,
  });
  const addrs = Array.from({ length: 100 }, (_, i) => `192.0.2.${i}`);
  const names = await rdns.resolveAll(addrs);
  assert.deepStrictEqual([...names], []);
  assert.deepStrictEqual(timers, [500]); // one timer for 100 lookups, not 100
  assert.equal(cancelled, 1);
  // timed-out addresses are cached as misses: a second batch asks nothing and sets no timer
  await rdns.resolveAll(addrs);
  assert.deepStrictEqual(timers, [500]);
});

/** A UDP "DNS server" on loopback that counts queries and never answers. */
async function deadServer(): Promise<{ socket: Socket; port: number; queries: () => number }> {
  const socket = createSocket('udp4');
  let n = 0;
  socket.on('message', () => void n++);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, port: socket.address().port, queries: () => n };
}

function resolverAt(port: number, timeoutMs: number): dns.Resolver {
  const r = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return r;
}

test('a real dead resolver: all 40 lookups go out at once and the batch ends after one timeout', async () => {
  const server = await deadServer();
  try {
    const addrs = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const started = process.hrtime.bigint();
    const names = await peerNames(addrs, { resolver: resolverAt(server.port, 300), timeoutMs: 300 });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.deepStrictEqual(names && [...names], []);
    assert.ok(server.queries() >= 40, `every address was asked (got ${server.queries()} queries)`);
    // one per row would be 40 × 300 ms = 12 s; a generous bound that only "one timeout" meets
    assert.ok(elapsedMs < 3000, `took ${elapsedMs} ms`);
  } finally {
    server.socket.close();
  }
});

test('-n (numeric) sends no DNS query at all, even to a resolver that would hang', async () => {
  const server = await deadServer();
  try {
    const names = await peerNames(['192.0.2.1', '192.0.2.2'], { numeric: true, resolver: resolverAt(server.port, 300) });
    assert.equal(names, undefined);
    // give a stray packet time to arrive: the same wait in which the non-numeric path is seen
    const probe = resolverAt(server.port, 100);
    await probe.reverse('192.0.2.99').catch(() => undefined);
    assert.equal(server.queries(), 1); // only the probe's own query
  } finally {
    server.socket.close();
  }
});
