// Flows and stats add counters up as doubles (Float64Array sums, plain numbers): exact up to
// 2^53 − 1 (9 PB), rounded to 16 significant digits beyond. No real table comes near that (all
// the connections of a busy router together stay in the terabytes), so the sums stay doubles,
// which the hot loop adds without a check, and a sum past the limit is said once on stderr
// instead of passing for exact (README, "Reading a table"). A single entry's counters and totals
// are exact whatever their size (parse/exact-counters.ts).

export const ROUNDED_SUMS =
  'ctflow: traffic sums above 2^53 − 1 (9007199254740991) are rounded to 16 significant digits';

/** Whether any of `sums` is past the limit (a largest sum is enough: every smaller one is below it). */
export function anyRounded(sums: ArrayLike<number | undefined>): boolean {
  for (let i = 0; i < sums.length; i++) if ((sums[i] ?? 0) > Number.MAX_SAFE_INTEGER) return true;
  return false;
}
