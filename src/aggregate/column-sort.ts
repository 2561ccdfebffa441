// Sorting a store's records by its columns (conn-store.ts) without a JavaScript comparator for
// every comparison: V8's typed-array sort calls one ~20 times a record (0.4–0.6 s on a million),
// while it sorts plain numbers natively in a fraction of that. So each record's value in the
// first column is packed with its place into one double (value × 2^bits + place, exact while it
// stays below 2^53), the doubles are sorted natively, and each run of records equal in that
// column is sorted the same way by the next column, and so on. Equal values keep their places'
// order, so records equal in every column stay in record-number order, as the comparator's last
// rule has it. A small run, or a column whose values are not integers or whose range does not
// fit beside the places (byte counts past ~8 GB among a million records), is sorted by the
// comparator instead: the same order, only slower.

/** a run this short is sorted by the comparator (an insertion sort) */
const SMALL = 16;
const EXACT = 2 ** 53;

/** A column by record number: the order compares it ascending, or descending when `reverse`. */
export type SortColumn = Float64Array | Uint16Array;

/**
 * Sorts `order` (the record numbers 0…n-1, ascending) by `compare`, which orders by `columns`
 * in turn (each ascending, or each descending when `reverse`), then by record number.
 */
export function sortByColumns(order: Uint32Array, columns: SortColumn[], reverse: boolean, compare: (a: number, b: number) => number): void {
  sortRun(order, 0, order.length, columns, 0, reverse, compare);
}

function sortRun(
  order: Uint32Array, from: number, to: number, columns: SortColumn[], depth: number, reverse: boolean,
  compare: (a: number, b: number) => number,
): void {
  const m = to - from;
  if (m < 2 || depth === columns.length) return;
  if (m <= SMALL) return insertionSort(order, from, to, compare);
  const column = columns[depth]!;
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let k = from; k < to; k++) {
    const v = column[order[k]!]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v !== Math.floor(v)) integral = false;
  }
  const span = 2 ** Math.ceil(Math.log2(m + 1));
  if (!integral || (max - min + 1) * span > EXACT) {
    order.subarray(from, to).sort(compare);
    return;
  }
  // every record equal in this column: the next decides
  if (min === max) return sortRun(order, from, to, columns, depth + 1, reverse, compare);
  const packed = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const v = column[order[from + k]!]!;
    packed[k] = (reverse ? max - v : v - min) * span + k;
  }
  packed.sort();
  const before = order.slice(from, to);
  let runStart = from;
  let runValue = -1;
  for (let k = 0; k < m; k++) {
    const p = packed[k]!;
    const value = Math.floor(p / span);
    order[from + k] = before[p - value * span]!;
    if (value !== runValue) {
      sortRun(order, runStart, from + k, columns, depth + 1, reverse, compare);
      runStart = from + k;
      runValue = value;
    }
  }
  sortRun(order, runStart, to, columns, depth + 1, reverse, compare);
}

function insertionSort(order: Uint32Array, from: number, to: number, compare: (a: number, b: number) => number): void {
  for (let k = from + 1; k < to; k++) {
    const r = order[k]!;
    let j = k - 1;
    for (; j >= from && compare(order[j]!, r) > 0; j--) order[j + 1] = order[j]!;
    order[j + 1] = r;
  }
}
