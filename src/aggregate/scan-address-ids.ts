// The number a collection gives each address (flows, stats' talkers), found for a scanned line by
// the address's value: an int-keyed table per family in front of the collection's own numbering
// by text, so a line costs no address text and no string hashing; the text is made once, on an
// address's first sight.

import { scanAddress, type ConnScan } from '../parse/conn-bytes.js';
import { WordIds } from './word-ids.js';

export class ScanAddressIds {
  private readonly v4 = new WordIds(1, 1 << 12);
  private readonly v6 = new WordIds(4);

  /** `byText`: the collection's number for an address's canonical text (given on first sight) */
  constructor(private readonly byText: (address: string) => number) {}

  /** The number of scan address slot k. */
  of(s: ConnScan, k: number): number {
    const text = s.texts[k];
    if (text !== undefined) return this.byText(text);
    // IPv4 is the last of the slot's four words
    const table = s.v6 ? this.v6 : this.v4;
    const at = s.v6 ? k * 4 : k * 4 + 3;
    const id = table.get(s.words, at);
    return id >= 0 ? id : table.set(s.words, at, this.byText(scanAddress(s, k)));
  }
}
