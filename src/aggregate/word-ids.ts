// Small numbers (ids) for keys of a fixed number of int32 words — an IPv4 address is one word, an
// IPv6 address four — in an open-addressing table: flows and stats (address-numbers.ts) find an
// address's id by its value per scanned line, with no text and no string hashing.

/** A 32-bit hash of an int whose low bits are all well mixed (for masks of any size). */
export function mix(v: number): number {
  const h = Math.imul(v, 0x9e3779b1);
  return h ^ (h >>> 16);
}

export class WordIds {
  private keys: Int32Array;
  /** id per slot, -1 when empty */
  private ids: Int32Array;
  private size = 0;
  /** where the last get() that found nothing stopped: set() fills it */
  private free = 0;

  constructor(private readonly width: number, slots = 1 << 10) {
    this.keys = new Int32Array(slots * width);
    this.ids = new Int32Array(slots).fill(-1);
  }

  /** The id of the key `words[at, at + width)`, or -1 (then set() may follow at once). */
  get(words: Int32Array, at: number): number {
    const width = this.width;
    const keys = this.keys;
    const ids = this.ids;
    const mask = ids.length - 1;
    // one word (IPv4, most lookups): compared without the loop (measured: the loop cost flows
    // ~6% on one thread)
    if (width === 1) {
      const v = words[at]!;
      for (let i = mix(v) & mask; ; i = (i + 1) & mask) {
        const id = ids[i]!;
        if (id < 0) {
          this.free = i;
          return -1;
        }
        if (keys[i] === v) return id;
      }
    }
    for (let i = this.hash(words, at) & mask; ; i = (i + 1) & mask) {
      const id = ids[i]!;
      if (id < 0) {
        this.free = i;
        return -1;
      }
      let j = 0;
      while (j < width && keys[i * width + j] === words[at + j]) j++;
      if (j === width) return id;
    }
  }

  /** Gives the key of the get() that just found nothing this id; returns the id. */
  set(words: Int32Array, at: number, id: number): number {
    this.put(this.free, words, at, id);
    if (++this.size * 2 > this.ids.length) this.grow();
    return id;
  }

  private hash(words: Int32Array, at: number): number {
    let h = words[at]!;
    for (let j = 1; j < this.width; j++) h = Math.imul(h, 31) ^ words[at + j]!;
    return mix(h);
  }

  private put(slot: number, words: Int32Array, at: number, id: number): void {
    for (let j = 0; j < this.width; j++) this.keys[slot * this.width + j] = words[at + j]!;
    this.ids[slot] = id;
  }

  /** Twice the slots, every key placed again (the table stays at most half full). */
  private grow(): void {
    const { keys, ids, width } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.ids = new Int32Array(ids.length * 2).fill(-1);
    const mask = this.ids.length - 1;
    for (let o = 0; o < ids.length; o++) {
      if (ids[o]! < 0) continue;
      let i = this.hash(keys, o * width) & mask;
      while (this.ids[i]! >= 0) i = (i + 1) & mask;
      this.put(i, keys, o * width, ids[o]!);
    }
  }
}
