// Keeps the k best items of a stream in a binary heap: memory O(k), time O(n log k).
// The heap root is the worst kept item, so a new item is compared once in the common case.

export class TopK<T> {
  private readonly heap: T[] = [];

  /** `better(a, b) < 0` when a ranks before b. */
  constructor(private readonly k: number, private readonly better: (a: T, b: T) => number) {}

  get size(): number {
    return this.heap.length;
  }

  /** The worst kept item once k are kept (the one a better item would replace), else undefined. */
  get worst(): T | undefined {
    return this.k > 0 && this.heap.length >= this.k ? this.heap[0] : undefined;
  }

  push(item: T): void {
    const h = this.heap;
    if (this.k <= 0) return;
    if (h.length < this.k) {
      h.push(item);
      this.up(h.length - 1);
    } else if (this.better(item, h[0]!) < 0) {
      h[0] = item;
      this.down(0);
    }
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.heap].sort(this.better);
  }

  // the heap orders by "worst on top": parent is worse than (ranks after) its children
  private worse(a: T, b: T): boolean {
    return this.better(a, b) > 0;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.worse(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.worse(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
