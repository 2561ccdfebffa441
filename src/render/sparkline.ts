// A series of numbers as one line of block characters (▁▂▃▄▅▆▇█), for the live line of
// `stats --interval` and the netdata series. Scaled between the series' own min and max so small
// changes on a big table stay visible; a flat series draws at the bottom.

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width?: number): string {
  const shown = width !== undefined && values.length > width ? values.slice(values.length - width) : values;
  if (shown.length === 0) return '';
  let min = Infinity;
  let max = -Infinity;
  for (const v of shown) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  let out = '';
  for (const v of shown) {
    const level = span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1));
    out += BARS[level];
  }
  return out;
}
