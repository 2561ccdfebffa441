// A StatsReport in the Prometheus text exposition format (version 0.0.4), as node_exporter's
// textfile collector and any scraper read it: a HELP and a TYPE line before each metric's
// samples, every name prefixed `ctflow_`. Table figures are gauges (they go up and down); the
// kernel's per-CPU counters only grow, so they are counters (`_total`). Top talkers are left out on
// purpose: one series per address would give a scraper unbounded cardinality.

import type { StatsReport } from '../aggregate/stats-report.js';

type Labels = Record<string, string>;

interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Array<{ labels: Labels; value: number }>;
}

/** Label values escape backslash, double quote and newline (exposition format rules). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A name the format accepts: [a-zA-Z_:][a-zA-Z0-9_:]*; anything else becomes `_`. */
export function metricNamePart(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(',')}}`;
}

function gauge(name: string, help: string, samples: Metric['samples']): Metric {
  return { name: `ctflow_${name}`, help, type: 'gauge', samples };
}

function single(value: number | undefined): Metric['samples'] {
  return value === undefined ? [] : [{ labels: {}, value }];
}

function fromRecord(record: Record<string, number>, label: string): Metric['samples'] {
  return Object.entries(record).map(([k, value]) => ({ labels: { [label]: k }, value }));
}

/** Splits the "family/protocol/state" breakdown back into labels. */
function breakdownSamples(breakdown: Record<string, number>, withState: boolean): Metric['samples'] {
  const byKey = new Map<string, { labels: Labels; value: number }>();
  for (const [key, value] of Object.entries(breakdown)) {
    const [family = '', protocol = '', state = '-'] = key.split('/');
    if (withState && state === '-') continue;
    const labels: Labels = withState ? { family, protocol, state } : { family, protocol };
    const id = JSON.stringify(labels);
    const sample = byKey.get(id);
    if (sample === undefined) byKey.set(id, { labels, value });
    else sample.value += value;
  }
  return [...byKey.values()];
}

function ratio(part: number | undefined, whole: number | undefined): number | undefined {
  return part === undefined || whole === undefined || whole === 0 ? undefined : part / whole;
}

export interface PrometheusOptions {
  /** seconds since the epoch, written as ctflow_stats_timestamp_seconds so staleness can alert */
  now?: number;
}

export function renderPrometheus(report: StatsReport, options: PrometheusOptions = {}): string {
  const b = report.breakdown;
  const metrics: Metric[] = [
    gauge('entries', 'Connection tracking entries read from the table.', single(report.entries)),
    gauge('replied_entries', 'Entries that have seen a reply (not UNREPLIED).', single(report.replied)),
    gauge('conntrack_count', 'Entries in the kernel table (nf_conntrack_count).', single(report.count)),
    gauge('conntrack_max', 'Size limit of the kernel table (nf_conntrack_max).', single(report.max)),
    // ratios from the counts, not from the report's rounded percentages: a big table's fill is tiny
    gauge('fill_ratio', 'Table fill: entries / nf_conntrack_max.', single(ratio(report.count ?? report.entries, report.max))),
    gauge('replied_fill_ratio', 'Table fill counting only replied entries / nf_conntrack_max.', single(ratio(report.replied, report.max))),
    gauge('entries_by_family', 'Entries per address family.', fromRecord(report.families, 'family')),
    gauge('entries_by_protocol', 'Entries per family and layer-4 protocol.', breakdownSamples(b, false)),
    gauge('entries_by_state', 'Entries per family, protocol and state (tcp, sctp, dccp).', breakdownSamples(b, true)),
    gauge('entries_by_status', 'Entries with each status flag.', report.entries === undefined ? [] : [
      { labels: { status: 'assured' }, value: report.status.assured },
      { labels: { status: 'unreplied' }, value: report.status.unreplied },
      { labels: { status: 'offload' }, value: report.status.offload },
      { labels: { status: 'hw_offload' }, value: report.status.hw_offload },
    ]),
    gauge('entries_by_nat', 'Entries per NAT kind (none, snat, dnat, both).',
      report.entries === undefined ? [] : fromRecord(report.nat, 'nat')),
    gauge('entries_by_zone', 'Entries per non-zero conntrack zone.', fromRecord(report.zones, 'zone')),
    gauge('entries_by_mark', 'Entries per non-zero connection mark.', fromRecord(report.marks, 'mark')),
    gauge('packets', 'Packets counted by the entries read (both directions; accounting on).', single(report.packets)),
    gauge('bytes', 'Bytes counted by the entries read (both directions; accounting on).', single(report.bytes)),
  ];
  const counters = report.kernel_counters;
  if (counters !== undefined) {
    for (const [name, value] of Object.entries(counters)) {
      if (name === 'entries') {
        metrics.push(gauge('kernel_entries', 'Entries as the kernel\'s per-CPU statistics report them.', single(value)));
        continue;
      }
      const samples = report.per_cpu === undefined
        ? single(value)
        : report.per_cpu.map((row) => ({ labels: { cpu: String(row.cpu) }, value: row[name] ?? 0 }));
      metrics.push({
        name: `ctflow_kernel_${metricNamePart(name)}_total`,
        help: `Kernel conntrack statistic "${name}"${report.per_cpu === undefined ? ', summed over CPUs' : ' per CPU'}.`,
        type: 'counter',
        samples,
      });
    }
  }
  if (options.now !== undefined) {
    metrics.push(gauge('stats_timestamp_seconds', 'When ctflow computed these figures (Unix time).', single(options.now)));
  }
  let out = '';
  for (const m of metrics) {
    if (m.samples.length === 0) continue;
    out += `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n`;
    for (const s of m.samples) out += `${m.name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}
