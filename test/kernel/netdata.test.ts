import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchNetdataSeries, netdataDataUrl, seriesFromNetdata } from '../../src/kernel/netdata.js';
import { CtflowError } from '../../src/errors.js';

/** A local HTTP server answering every request with `handler`; returns its base URL and the paths asked. */
async function serve(handler: (url: string, res: import('node:http').ServerResponse) => void): Promise<{ base: string; asked: string[]; server: Server }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    handler(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

test('builds the data API URL for the conntrack chart, keeping a path prefix', () => {
  assert.equal(netdataDataUrl('http://127.0.0.1:19999', 900),
    'http://127.0.0.1:19999/api/v1/data?chart=netfilter.conntrack_sockets&after=-900&format=json');
  assert.equal(netdataDataUrl('https://mon.example/netdata/', 60),
    'https://mon.example/netdata/api/v1/data?chart=netfilter.conntrack_sockets&after=-60&format=json');
  assert.throws(() => netdataDataUrl('127.0.0.1:19999', 60), (err: unknown) => err instanceof CtflowError && err.exitCode === 2 &&
    err.message === 'ctflow: --netdata: must be an http(s) URL like http://127.0.0.1:19999, got "127.0.0.1:19999"');
  assert.throws(() => netdataDataUrl('ftp://x', 60), { message: 'ctflow: --netdata: must be an http(s) URL like http://127.0.0.1:19999, got "ftp://x"' });
});

test('turns netdata\'s answer into the NethServer shape, newest first, without empty seconds', () => {
  const body = { labels: ['time', 'connections'], data: [[100, 5], [102, null], [101, 7], [103, 9]] };
  assert.deepStrictEqual(seriesFromNetdata(body, 'x'), { labels: ['time', 'connections'], data: [[103, 9], [101, 7], [100, 5]] });
  assert.deepStrictEqual(seriesFromNetdata({ labels: ['time', 'sockets'], data: [[1, 2]] }, 'x').data, [[1, 2]]);
  assert.throws(() => seriesFromNetdata({ nope: 1 }, 'netdata http://h'), { message: 'ctflow: netdata http://h: must answer netdata\'s JSON {"labels": [...], "data": [...]}, got {"nope":1}' });
});

test('fetches the series over HTTP from an agent-like server', async () => {
  const { base, asked, server } = await serve((_url, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{\n "labels": ["time","connections"],\n "data":\n [\n [ 1795523709,3],\n [ 1795523708,2],\n [ 1795523707,null]\n]\n}');
  });
  try {
    assert.deepStrictEqual(await fetchNetdataSeries(base, 60), { labels: ['time', 'connections'], data: [[1795523709, 3], [1795523708, 2]] });
    assert.deepStrictEqual(asked, ['/api/v1/data?chart=netfilter.conntrack_sockets&after=-60&format=json']);
  } finally {
    await close(server);
  }
});

test('an HTTP error, a non-JSON answer, a refused connection and a timeout are each one sentence', async () => {
  const { base, server } = await serve((url, res) => {
    if (url.includes('after=-1&')) {
      res.statusCode = 404;
      res.end('Chart is not found: netfilter.conntrack_sockets');
    } else if (url.includes('after=-2&')) {
      res.end('<html>');
    } // after=-3: never answer
  });
  try {
    await assert.rejects(fetchNetdataSeries(base, 1), {
      message: `ctflow: netdata ${base}: must have the chart netfilter.conntrack_sockets, got HTTP 404 Chart is not found: netfilter.conntrack_sockets`,
    });
    await assert.rejects(fetchNetdataSeries(base, 2), { message: `ctflow: netdata ${base}: must answer JSON, got "<html>"` });
    await assert.rejects(fetchNetdataSeries(base, 3, { timeoutMs: 200 }), { message: `ctflow: netdata ${base}: must be reachable, got no answer within 0.2 s` });
  } finally {
    await close(server);
  }
  // a port nobody listens on any more
  const gone = await serve(() => undefined);
  await close(gone.server);
  await assert.rejects(fetchNetdataSeries(gone.base, 60), { message: `ctflow: netdata ${gone.base}: must be reachable, got ECONNREFUSED` });
});
