// The flows a command selected, written to the output in the chosen format: JSON and NDJSON as
// bytes straight into the output buffer where a flow allows it, CSV and the table as text.

import type { HostFlow } from '../aggregate/host-flows.js';
import type { Zones } from '../host/zones.js';
import type { Output, OutputFormat } from '../output.js';
import { appendCsv } from './conn-extras.js';
import { flowZones } from './flow-zones.js';
import { flowCsvHeader, flowToCsv, flowToJson, flowToJsonText } from './flows-json.js';
import { FLOW_JSON_MAX, writeFlowJson } from './flows-json-bytes.js';
import { renderFlowsTable } from './flows-table.js';
import type { Palette } from './palette.js';

/** Where the flows are: `view` is a reused object (read it at once), `flow` one of its own. */
export interface FlowRows {
  ids: ArrayLike<number> & Iterable<number>;
  view(f: number): HostFlow;
  flow(f: number): HostFlow;
}

export function writeFlows(
  out: Output, format: OutputFormat, rows: FlowRows, names: ReadonlyMap<string, string> | undefined,
  zones: Zones | undefined, palette: () => Palette,
): void {
  const { ids } = rows;
  // --zones: src_zone/dst_zone after the flow's own fields
  const json = (f: HostFlow): string => (zones === undefined ? flowToJsonText(f, names) : JSON.stringify({ ...flowToJson(f, names), ...flowZones(f, zones) }));
  const csvZones = (f: HostFlow): string[] => (zones === undefined ? [] : Object.values(flowZones(f, zones)));

  /** One flow's JSON after `before` and before `after`: as bytes when it can be, else as text. */
  const writeJson = (f: HostFlow, before: string, after: string): void => {
    if (zones === undefined) {
      out.reserve(FLOW_JSON_MAX + before.length + after.length);
      const at = out.buf.write(before, out.pos, 'latin1') + out.pos;
      const end = writeFlowJson(f, names?.get(f.peer.addr), out.buf, at);
      if (end >= 0) {
        out.pos = end + out.buf.write(after, end, 'latin1');
        return;
      }
    }
    out.write(before + json(f) + after);
  };
  switch (format) {
    case 'json':
      out.write('[');
      for (let i = 0; i < ids.length; i++) writeJson(rows.view(ids[i]!), i === 0 ? '\n' : ',\n', '');
      out.write(ids.length === 0 ? ']\n' : '\n]\n');
      break;
    case 'ndjson':
      for (const f of ids) writeJson(rows.view(f), '', '\n');
      break;
    case 'csv':
      out.write(appendCsv(flowCsvHeader(), zones === undefined ? [] : ['src_zone', 'dst_zone']));
      for (const f of ids) {
        const flow = rows.view(f);
        out.write(appendCsv(flowToCsv(flow, names), csvZones(flow)));
      }
      break;
    case 'table':
      out.write(renderFlowsTable(Array.from(ids, (f) => rows.flow(f)), palette(), names, zones === undefined ? undefined : { head: ['Zones'], cells: (f) => [`${flowZones(f, zones).src_zone} → ${flowZones(f, zones).dst_zone}`] }));
      break;
  }
}
