// The connection count over time from a netdata agent, in the shape the NethServer API returned
// (it read the same chart): {"labels": ["time", "connections"], "data": [[epoch, n], …]}, newest
// first. netdata's proc plugin draws `netfilter.conntrack_sockets` from /proc/net/stat/nf_conntrack.
// Uses node's global fetch with a timeout; every failure becomes one sentence naming the URL.

import { CtflowError, usageError } from '../errors.js';

export const NETDATA_CHART = 'netfilter.conntrack_sockets';
export const DEFAULT_SINCE = 900;
export const DEFAULT_NETDATA_TIMEOUT_MS = 10_000;

export interface Series {
  labels: ['time', 'connections'];
  /** [epoch seconds, connections], newest first */
  data: Array<[number, number]>;
}

export interface NetdataOptions {
  timeoutMs?: number;
  /** injectable for tests; defaults to the global fetch */
  fetch?: typeof fetch;
}

/** The data API URL for `seconds` of the conntrack chart on the agent at `base`. */
export function netdataDataUrl(base: string, seconds: number): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw usageError(`ctflow: --netdata: must be an http(s) URL like http://127.0.0.1:19999, got ${JSON.stringify(base)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`ctflow: --netdata: must be an http(s) URL like http://127.0.0.1:19999, got ${JSON.stringify(base)}`);
  }
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  url.pathname = `${path}api/v1/data`;
  url.search = new URLSearchParams({
    chart: NETDATA_CHART,
    after: String(-Math.abs(Math.round(seconds))),
    format: 'json',
  }).toString();
  return url.toString();
}

/**
 * netdata's format=json answer → Series. The chart has one dimension ("connections"); when a build
 * names it differently the first non-time column is taken. Rows with no value (null: the agent
 * has no sample for that second) are dropped.
 */
export function seriesFromNetdata(body: unknown, source: string): Series {
  const b = body as { labels?: unknown; data?: unknown } | null;
  if (b === null || typeof b !== 'object' || !Array.isArray(b.labels) || !Array.isArray(b.data)) {
    throw new CtflowError(`ctflow: ${source}: must answer netdata's JSON {"labels": [...], "data": [...]}, got ${JSON.stringify(body).slice(0, 80)}`, {
      code: 'ENETDATA',
    });
  }
  const labels = b.labels as unknown[];
  const timeCol = Math.max(0, labels.indexOf('time'));
  let valueCol = labels.indexOf('connections');
  if (valueCol < 0) valueCol = timeCol === 0 ? 1 : 0;
  const data: Array<[number, number]> = [];
  for (const row of b.data as unknown[]) {
    if (!Array.isArray(row)) continue;
    const t = row[timeCol];
    const v = row[valueCol];
    if (typeof t !== 'number' || typeof v !== 'number') continue;
    data.push([t, v]);
  }
  data.sort((x, y) => y[0] - x[0]);
  return { labels: ['time', 'connections'], data };
}

/** The conntrack count of the last `seconds` from the netdata agent at `url`, newest first. */
export async function fetchNetdataSeries(url: string, seconds: number = DEFAULT_SINCE, options: NetdataOptions = {}): Promise<Series> {
  const target = netdataDataUrl(url, seconds);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_NETDATA_TIMEOUT_MS;
  let response: Response;
  try {
    response = await doFetch(target, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    // undici wraps the system error: ECONNREFUSED, ENOTFOUND… say the most; its own codes do not
    const code = e.cause?.code;
    const why = e.name === 'TimeoutError'
      ? `no answer within ${timeoutMs / 1000} s`
      : code !== undefined && /^E[A-Z]+$/.test(code) ? code : (e.cause?.message ?? e.message);
    throw new CtflowError(`ctflow: netdata ${url}: must be reachable, got ${why}`, { code: 'ENETDATA' });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new CtflowError(`ctflow: netdata ${url}: answer could not be read, got ${(err as Error).message}`, { code: 'ENETDATA' });
  }
  if (!response.ok) {
    throw new CtflowError(`ctflow: netdata ${url}: must have the chart ${NETDATA_CHART}, got HTTP ${response.status} ${text.trim().slice(0, 80)}`, {
      code: 'ENETDATA',
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CtflowError(`ctflow: netdata ${url}: must answer JSON, got ${JSON.stringify(text.slice(0, 60))}`, { code: 'ENETDATA' });
  }
  return seriesFromNetdata(body, `netdata ${url}`);
}
