// The number a collection gives each address (flows, stats' talkers) on first sight, so its
// per-address data can live in typed arrays indexed by it. A record's address is found by its
// text (one Map lookup of the parser's already-hashed string); a scanned line's by its value, in
// an int-keyed table per family (word-ids.ts), so a line costs no address text and no string
// hashing: the text is made once, for a new address.

import { scanAddress, type ConnScan } from '../parse/conn-bytes.js';
import { WordIds } from './word-ids.js';

export class AddressNumbers {
  /** the addresses' canonical texts, by number */
  readonly addresses: string[] = [];
  private readonly byText = new Map<string, number>();
  private readonly v4 = new WordIds(1, 1 << 12);
  private readonly v6 = new WordIds(4);

  /** `onNew(n, address)`: a new number, before it is handed out (the owner sizes its arrays) */
  constructor(private readonly onNew: (n: number, address: string) => void) {}

  /** The number of an address's canonical text. */
  of(address: string): number {
    let n = this.byText.get(address);
    if (n !== undefined) return n;
    n = this.addresses.length;
    this.byText.set(address, n);
    this.addresses.push(address);
    this.onNew(n, address);
    return n;
  }

  /** The number of scan address slot k. */
  ofScan(s: ConnScan, k: number): number {
    const text = s.texts[k];
    if (text !== undefined) return this.of(text);
    // IPv4 is the last of the slot's four words
    const table = s.v6 ? this.v6 : this.v4;
    const at = s.v6 ? k * 4 : k * 4 + 3;
    const id = table.get(s.words, at);
    return id >= 0 ? id : table.set(s.words, at, this.of(scanAddress(s, k)));
  }
}
