// A connection-count series on a terminal: the live line printed per sample of
// `stats --interval`, and the summary (with a small block chart on a TTY) of a netdata series.

import type { Sample } from '../aggregate/sampler.js';
import type { Series } from '../kernel/netdata.js';
import type { Palette } from './palette.js';
import { sparkline } from './sparkline.js';
import { localClock, localDateTime } from './clock-time.js';

const SPARK_WIDTH = 40;
const STATES_SHOWN = 4;

/** `12:00:00.200     1234  ▁▃▅█  tcp/ESTABLISHED 800  udp 300 …` (local time) */
export function sampleLine(sample: Sample, history: readonly number[], p: Palette): string {
  const states = Object.entries(sample.states)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, STATES_SHOWN)
    .map(([k, v]) => `${p.dim(k)} ${v}`)
    .join('  ');
  return `${p.dim(localClock(sample.time, 3))}  ${p.bold(String(sample.connections).padStart(7))}  ${sparkline(history, SPARK_WIDTH)}` +
    (states === '' ? '' : `  ${states}`);
}

/** Averages `values` into `width` buckets, so a long series fits the terminal. */
function bucket(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / width));
    let sum = 0;
    for (let j = from; j < to; j++) sum += values[j]!;
    out.push(sum / (to - from));
  }
  return out;
}

/** A block chart `height` rows tall, oldest sample on the left, with the max and min on the axis. */
export function seriesChart(values: readonly number[], width: number, height: number): string {
  const v = bucket(values, width);
  if (v.length === 0) return '';
  const max = Math.max(...v);
  const min = Math.min(...v);
  const span = max - min;
  const levels = v.map((x) => (span === 0 ? 1 : ((x - min) / span) * (height - 1) + 1));
  const label = (n: number): string => String(Math.round(n)).padStart(String(Math.round(max)).length);
  const rows: string[] = [];
  for (let row = height; row >= 1; row--) {
    const axis = row === height ? label(max) : row === 1 ? label(min) : ' '.repeat(label(max).length);
    rows.push(`${axis} ┤${levels.map((l) => (l >= row ? '█' : l > row - 1 ? '▄' : ' ')).join('')}`);
  }
  return rows.join('\n');
}

/** The human view of a netdata series: range, last/min/max, a sparkline, and on a TTY a chart. */
export function renderSeries(series: Series, source: string, p: Palette, chart: { width: number; height: number } | undefined): string {
  if (series.data.length === 0) return `${source}: no samples in the requested range\n`;
  const oldestFirst = [...series.data].reverse();
  const values = oldestFirst.map((row) => row[1]);
  const first = oldestFirst[0]!;
  const last = oldestFirst[oldestFirst.length - 1]!;
  const lines = [
    `${p.bold('Connections')} from ${source}, ${localDateTime(first[0])} → ${localDateTime(last[0])} (${values.length} samples)`,
    `now ${p.bold(String(last[1]))}  min ${Math.min(...values)}  max ${Math.max(...values)}  ${sparkline(values, SPARK_WIDTH)}`,
  ];
  if (chart !== undefined) lines.push(seriesChart(values, chart.width, chart.height));
  return lines.join('\n') + '\n';
}
