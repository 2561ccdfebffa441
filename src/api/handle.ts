// The API's two endpoints as functions: request text in, response object and exit status out.
// Nothing here prints; src/commands/api.ts reads stdin and writes the one JSON answer. Every
// failure becomes a response object: validation problems the NotValid shape, anything else (even
// a bug in validation itself) the Error shape — a caller parsing stdout always gets JSON.
//
// Reading goes through the same library as `ctflow list` (readTable, compileFilter, connOrder,
// the top-k heap); deleting through the same library as `ctflow delete/flush`
// (src/kernel/change-table.ts: the table is read, the exact tuple matched, then one conntrack -D).

import { connOrder } from '../aggregate/conn-order.js';
import { protocolCatalogue } from '../aggregate/protocols.js';
import { TopK } from '../aggregate/top-k.js';
import { CtflowError } from '../errors.js';
import { compileFilter } from '../filter/compile-filter.js';
import type { MarkMap } from '../host/mark-map.js';
import type { Zones } from '../host/zones.js';
import { countForFlush, deleteConnections, flushTable } from '../kernel/change-table.js';
import type { ExactConnection } from '../kernel/exact-connection.js';
import { fetchNetdataSeries, type Series } from '../kernel/netdata.js';
import { PROTOCOL_NUMBER, type Conn } from '../model.js';
import { type ReadReport } from '../parse/conn-records.js';
import { readTable, type ReadOptions } from '../parse/read-table.js';
import { connToApi, type ApiConnection } from './connection-record.js';
import { validateDeleteRequest, type ConnectionTuple } from './delete-request.js';
import { validateReadRequest, type ReadRequest } from './read-request.js';
import { parseRequestBody } from './request.js';
import { notValid, runtimeError, type DeleteSuccess, type ErrorResponse, type NotValidResponse } from './response.js';

export interface ApiResult<T> {
  response: T | NotValidResponse | ErrorResponse;
  exitCode: 0 | 1;
  /** lines the reader could not parse (the command reports them on stderr) */
  report?: ReadReport;
}

export interface ReadDeps {
  source: ReadOptions;
  /** loaded only when a request asks to expand */
  zones: () => Promise<Zones>;
  markMap?: MarkMap | undefined;
  netdataUrl: string;
  fetch?: typeof fetch;
}

export interface DeleteDeps {
  conntrackBin?: string | undefined;
  /** the table the request is matched against (default /proc/net/nf_conntrack) */
  source?: ReadOptions;
}

export type ReadResponse = { protocols: Record<string, string[]> } | { connections: ApiConnection[] } | Series;

function failure(err: unknown): ErrorResponse {
  if (err instanceof CtflowError) return runtimeError(err.message);
  return runtimeError(`internal error: ${(err as Error)?.message ?? String(err)}`);
}

/** The conntrack action: filter, NethServer's order, limit through a bounded heap. */
export async function readConnections(
  req: Extract<ReadRequest, { action: 'conntrack' }>,
  deps: ReadDeps,
): Promise<{ connections: ApiConnection[]; report: ReadReport }> {
  const filter = compileFilter({ proto: req.protocol, state: req.state === undefined ? undefined : [req.state] });
  const order = connOrder(undefined, false);
  let conns: Conn[];
  let report: ReadReport;
  if (req.limit > 0) {
    const top = new TopK<Conn>(req.limit, order);
    report = await readTable(deps.source, (c) => {
      if (filter(c)) top.push(c);
    });
    conns = top.sorted();
  } else {
    conns = [];
    report = await readTable(deps.source, (c) => {
      if (filter(c)) conns.push(c);
    });
    conns.sort(order);
  }
  const zones = req.expand ? await deps.zones() : undefined;
  return { connections: conns.map((c) => connToApi(c, { zones, markMap: deps.markMap })), report };
}

/**
 * The protocol catalogue as NethServer's UI needs it: a protocol's state list feeds a <select>
 * whose "" entry means all states (the original's tcp list starts with it), so every non-empty
 * list starts with "". Without it, a state once picked could not be unpicked.
 */
export function apiProtocols(): Record<string, string[]> {
  const out = protocolCatalogue();
  for (const states of Object.values(out)) if (states.length > 0) states.unshift('');
  return out;
}

export async function handleRead(text: string, deps: ReadDeps): Promise<ApiResult<ReadResponse>> {
  try {
    const body = parseRequestBody(text);
    if (!body.ok) return { response: notValid(body.attributes), exitCode: 1 };
    const req = validateReadRequest(body.value);
    if (!req.ok) return { response: notValid(req.attributes), exitCode: 1 };
    switch (req.value.action) {
      case 'protocols':
        return { response: { protocols: apiProtocols() }, exitCode: 0 };
      case 'conntrack': {
        const { connections, report } = await readConnections(req.value, deps);
        return { response: { connections }, exitCode: 0, report };
      }
      case 'stats': {
        const options = deps.fetch === undefined ? {} : { fetch: deps.fetch };
        return { response: await fetchNetdataSeries(deps.netdataUrl, req.value.time, options), exitCode: 0 };
      }
    }
  } catch (err) {
    return { response: failure(err), exitCode: 1 };
  }
}

/** The validated tuple as the delete library names one connection (ports only for port protocols). */
export function exactConnection(t: ConnectionTuple): ExactConnection {
  return {
    proto: t.protocol, protonum: PROTOCOL_NUMBER.get(t.protocol) ?? 0, src: t.src, dst: t.dst, sport: t.sport, dport: t.dport,
    icmpType: undefined, icmpCode: undefined, icmpId: undefined, zone: undefined,
  };
}

/** A flush as `ctflow flush` does it; conntrack -F prints no count, so the table is counted first. */
async function flush(deps: DeleteDeps): Promise<number> {
  const counted = await countForFlush({ source: deps.source });
  const { flushed } = await flushTable({ conntrackBin: deps.conntrackBin });
  return flushed ?? counted;
}

export async function handleDelete(text: string, deps: DeleteDeps): Promise<ApiResult<DeleteSuccess>> {
  try {
    const body = parseRequestBody(text);
    if (!body.ok) return { response: notValid(body.attributes), exitCode: 1 };
    const req = validateDeleteRequest(body.value);
    if (!req.ok) return { response: notValid(req.attributes), exitCode: 1 };
    const deleted = req.value.action === 'flush'
      ? await flush(deps)
      : (await deleteConnections({ kind: 'exact', connection: exactConnection(req.value.tuple) }, { source: deps.source, conntrackBin: deps.conntrackBin })).count;
    return { response: { state: 'success', deleted }, exitCode: 0 };
  } catch (err) {
    return { response: failure(err), exitCode: 1 };
  }
}
