// Times for people: local (TZ), as `date` and conntrack -E print them, in every view (top's
// header, watch's events, stats --interval's samples and its netdata summary). Machine output
// keeps epoch seconds or ISO 8601 UTC (docs/json.md).

const two = (n: number): string => String(n).padStart(2, '0');

/** Epoch seconds → local `HH:MM:SS`, with `digits` (3 or 6) of the fraction when asked. */
export function localClock(epochSeconds: number, digits: 0 | 3 | 6 = 0): string {
  const whole = Math.floor(epochSeconds);
  const d = new Date(whole * 1000);
  const clock = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  if (digits === 0) return clock;
  const scale = 10 ** digits;
  // rounded, but never up into the next second (that second is already printed)
  const fraction = Math.min(Math.round((epochSeconds - whole) * scale), scale - 1);
  return `${clock}.${String(fraction).padStart(digits, '0')}`;
}

/** Epoch seconds → local `YYYY-MM-DD HH:MM:SS`. */
export function localDateTime(epochSeconds: number): string {
  const d = new Date(Math.floor(epochSeconds) * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${localClock(epochSeconds)}`;
}
