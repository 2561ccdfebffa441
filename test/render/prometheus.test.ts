import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scanOfConn } from '../../src/parse/conn-bytes.js';
import { buildStatsReport } from '../../src/aggregate/stats-report.js';
import { createTableStats } from '../../src/aggregate/table-stats.js';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { parseProcStat, parseConntrackStats } from '../../src/parse/kernel-stats.js';
import { escapeLabelValue, metricNamePart, renderPrometheus } from '../../src/render/prometheus.js';
import { fixture } from '../helpers/cli.js';

const lines = [
  'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 packets=3 bytes=300 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 packets=2 bytes=200 [ASSURED] mark=0 use=1',
  'udp      17 29 src=10.0.0.4 dst=10.0.0.2 sport=53 dport=53 packets=1 bytes=60 [UNREPLIED] src=10.0.0.2 dst=10.0.0.9 sport=53 dport=53 packets=0 bytes=0 mark=5 zone=9 use=1',
];

test('renders a small report exactly: HELP and TYPE before each metric, gauges and counters, labels', () => {
  const s = createTableStats();
  for (const l of lines) s.add(scanOfConn(parseConnLine(l)!));
  const report = buildStatsReport({
    table: s.finish(), count: 2, max: 8, counters: parseConntrackStats('cpu=0 found=1 insert=2\ncpu=1 found=3 insert=4\n'),
  });
  assert.equal(renderPrometheus(report, { now: 1795510884 }), `# HELP ctflow_entries Connection tracking entries read from the table.
# TYPE ctflow_entries gauge
ctflow_entries 2
# HELP ctflow_replied_entries Entries that have seen a reply (not UNREPLIED).
# TYPE ctflow_replied_entries gauge
ctflow_replied_entries 1
# HELP ctflow_conntrack_count Entries in the kernel table (nf_conntrack_count).
# TYPE ctflow_conntrack_count gauge
ctflow_conntrack_count 2
# HELP ctflow_conntrack_max Size limit of the kernel table (nf_conntrack_max).
# TYPE ctflow_conntrack_max gauge
ctflow_conntrack_max 8
# HELP ctflow_fill_ratio Table fill: entries / nf_conntrack_max.
# TYPE ctflow_fill_ratio gauge
ctflow_fill_ratio 0.25
# HELP ctflow_replied_fill_ratio Table fill counting only replied entries / nf_conntrack_max.
# TYPE ctflow_replied_fill_ratio gauge
ctflow_replied_fill_ratio 0.125
# HELP ctflow_entries_by_family Entries per address family.
# TYPE ctflow_entries_by_family gauge
ctflow_entries_by_family{family="ipv4"} 2
# HELP ctflow_entries_by_protocol Entries per family and layer-4 protocol.
# TYPE ctflow_entries_by_protocol gauge
ctflow_entries_by_protocol{family="ipv4",protocol="tcp"} 1
ctflow_entries_by_protocol{family="ipv4",protocol="udp"} 1
# HELP ctflow_entries_by_state Entries per family, protocol and state (tcp, sctp, dccp).
# TYPE ctflow_entries_by_state gauge
ctflow_entries_by_state{family="ipv4",protocol="tcp",state="ESTABLISHED"} 1
# HELP ctflow_entries_by_status Entries with each status flag.
# TYPE ctflow_entries_by_status gauge
ctflow_entries_by_status{status="assured"} 1
ctflow_entries_by_status{status="unreplied"} 1
ctflow_entries_by_status{status="offload"} 0
ctflow_entries_by_status{status="hw_offload"} 0
# HELP ctflow_entries_by_nat Entries per NAT kind (none, snat, dnat, both).
# TYPE ctflow_entries_by_nat gauge
ctflow_entries_by_nat{nat="snat"} 1
ctflow_entries_by_nat{nat="dnat"} 0
ctflow_entries_by_nat{nat="both"} 0
ctflow_entries_by_nat{nat="none"} 1
# HELP ctflow_entries_by_zone Entries per non-zero conntrack zone.
# TYPE ctflow_entries_by_zone gauge
ctflow_entries_by_zone{zone="9"} 1
# HELP ctflow_entries_by_mark Entries per non-zero connection mark.
# TYPE ctflow_entries_by_mark gauge
ctflow_entries_by_mark{mark="5"} 1
# HELP ctflow_packets Packets counted by the entries read (both directions; accounting on).
# TYPE ctflow_packets gauge
ctflow_packets 6
# HELP ctflow_bytes Bytes counted by the entries read (both directions; accounting on).
# TYPE ctflow_bytes gauge
ctflow_bytes 560
# HELP ctflow_kernel_found_total Kernel conntrack statistic "found", summed over CPUs.
# TYPE ctflow_kernel_found_total counter
ctflow_kernel_found_total 4
# HELP ctflow_kernel_insert_total Kernel conntrack statistic "insert", summed over CPUs.
# TYPE ctflow_kernel_insert_total counter
ctflow_kernel_insert_total 6
# HELP ctflow_stats_timestamp_seconds When ctflow computed these figures (Unix time).
# TYPE ctflow_stats_timestamp_seconds gauge
ctflow_stats_timestamp_seconds 1795510884
`);
});

/** The exposition format's grammar, checked line by line. */
function assertValidExposition(text: string): void {
  const typed = new Map<string, string>();
  const seen = new Set<string>();
  let current = '';
  assert.ok(text.endsWith('\n'));
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\n]+$/.exec(line);
    if (m) {
      current = m[1]!;
      assert.equal(typed.has(current), false, `metric ${current} declared twice`);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter)$/.exec(line);
    if (m) {
      assert.equal(m[1], current);
      typed.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.e+-]+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    assert.equal(m[1], current, `sample of ${m[1]} outside its block`);
    if (typed.get(current) === 'counter') assert.ok(current.endsWith('_total'));
    assert.equal(seen.has(line.slice(0, line.lastIndexOf(' '))), false, `duplicate series ${line}`);
    seen.add(line.slice(0, line.lastIndexOf(' ')));
  }
}

test('the figures of every captured table and kernel counters file are valid exposition text', () => {
  for (const scenario of ['nat-router', 'local-host', 'inserted', 'proto-zoo']) {
    const s = createTableStats();
    for (const l of readFileSync(fixture(`${scenario}/proc_nf_conntrack.txt`), 'utf8').split('\n')) {
      const c = parseConnLine(l);
      if (c) s.add(scanOfConn(c));
    }
    const counters = parseProcStat(readFileSync(fixture(`${scenario}/proc_net_stat_nf_conntrack.txt`), 'utf8'));
    assertValidExposition(renderPrometheus(buildStatsReport({ table: s.finish(), count: 1, max: 262144, counters }), { now: 1 }));
    assertValidExposition(renderPrometheus(buildStatsReport({ table: s.finish(), counters, perCpu: true })));
  }
});

test('escapes label values and cleans metric name parts', () => {
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.deepStrictEqual(['insert_failed', 'Brand-New', '9lives'].map(metricNamePart), ['insert_failed', 'brand_new', '_9lives']);
});

test('an empty table still says 0 entries; a counters-only report has only counters', () => {
  const empty = renderPrometheus(buildStatsReport({ table: createTableStats().finish() }));
  assert.match(empty, /^ctflow_entries 0$/m);
  const only = renderPrometheus(buildStatsReport({ table: undefined, counters: parseConntrackStats('cpu=0 drop=7\n') }));
  assert.equal(only, '# HELP ctflow_kernel_drop_total Kernel conntrack statistic "drop", summed over CPUs.\n# TYPE ctflow_kernel_drop_total counter\nctflow_kernel_drop_total 7\n');
});
