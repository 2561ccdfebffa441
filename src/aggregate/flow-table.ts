// The flow table under the host flows (host-flows.ts): keys → sums. A flow's identity is K int32
// slots (address numbers, direction and kind, port codes, NAT target), found in an open-addressing
// table (no key string, no nested Maps); its S counters sit side by side in one Float64Array
// (updating boxed double fields of a flow object touched a separate heap number per field:
// slower, and more memory). Flows are numbered in first-seen order.

/** The identity of a flow as 8 int32 slots (one hash-table key; FlowPart.keys). */
export const K = 8;
export const K_LOCAL = 0; // address number
export const K_PEER = 1; // address number
export const K_KIND = 2; // direction (index in DIRECTIONS) * 2^16 + kind index (protocol, protonum, family)
export const K_LPORT = 3; // port codes
export const K_PPORT = 4;
export const K_NAT = 5; // NAT target address number + 1, 0 for none
export const K_NPORT = 6;
/** counters per flow: connections, counted, inPackets, inBytes, outPackets, outBytes */
export const S = 6;

export class FlowTable {
  private slots = new Int32Array(1 << 12).fill(-1);
  /** K int32 per flow */
  keys = new Int32Array((1 << 11) * K);
  /** S doubles per flow */
  sums = new Float64Array((1 << 11) * S);
  /** how many flows */
  size = 0;

  /** The number of the flow with this identity, made on first sight. */
  find(local: number, peer: number, kind: number, lport: number, pport: number, nat: number, nport: number): number {
    const mask = this.slots.length - 1;
    const keys = this.keys;
    for (let i = flowHash(local, peer, kind, lport, pport, nat, nport) & mask; ; i = (i + 1) & mask) {
      const f = this.slots[i]!;
      if (f < 0) return this.insert(i, local, peer, kind, lport, pport, nat, nport);
      const b = f * K;
      if (keys[b + K_LOCAL] === local && keys[b + K_PEER] === peer && keys[b + K_KIND] === kind &&
        keys[b + K_LPORT] === lport && keys[b + K_PPORT] === pport && keys[b + K_NAT] === nat && keys[b + K_NPORT] === nport) {
        return f;
      }
    }
  }

  /** One connection into flow f; with its counters when it carried them (accounting on). */
  count(f: number, counted: boolean, inPackets: number, inBytes: number, outPackets: number, outBytes: number): void {
    const sums = this.sums;
    const b = f * S;
    sums[b]!++;
    if (!counted) return;
    sums[b + 1]!++;
    sums[b + 2]! += inPackets;
    sums[b + 3]! += inBytes;
    sums[b + 4]! += outPackets;
    sums[b + 5]! += outBytes;
  }

  /** Another table's counters of its flow `from` added into flow f. */
  addSums(f: number, sums: Float64Array, from: number): void {
    const into = f * S;
    const at = from * S;
    for (let j = 0; j < S; j++) this.sums[into + j]! += sums[at + j]!;
  }

  private insert(slot: number, local: number, peer: number, kind: number, lport: number, pport: number, nat: number, nport: number): number {
    const f = this.size;
    if ((f + 1) * K > this.keys.length) {
      const keys = new Int32Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      const sums = new Float64Array(this.sums.length * 2);
      sums.set(this.sums);
      this.sums = sums;
    }
    const b = f * K;
    const keys = this.keys;
    keys[b + K_LOCAL] = local;
    keys[b + K_PEER] = peer;
    keys[b + K_KIND] = kind;
    keys[b + K_LPORT] = lport;
    keys[b + K_PPORT] = pport;
    keys[b + K_NAT] = nat;
    keys[b + K_NPORT] = nport;
    this.slots[slot] = f;
    this.size = f + 1;
    // keep the table at most half full
    if (this.size * 2 > this.slots.length) this.grow();
    return f;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    this.slots = slots;
    const keys = this.keys;
    const mask = slots.length - 1;
    for (let f = 0; f < this.size; f++) {
      const b = f * K;
      // re-place each flow by its key (find() would insert)
      let i = flowHash(keys[b + K_LOCAL]!, keys[b + K_PEER]!, keys[b + K_KIND]!, keys[b + K_LPORT]!, keys[b + K_PPORT]!, keys[b + K_NAT]!, keys[b + K_NPORT]!) & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = f;
    }
  }
}

/** The hash of a flow's identity (find() and grow() place flows by it). */
function flowHash(local: number, peer: number, kind: number, lport: number, pport: number, nat: number, nport: number): number {
  let h = Math.imul(local, 0x9e3779b1) ^ Math.imul(peer + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(kind + 0x165667b1, 0xc2b2ae3d);
  h ^= Math.imul(lport * 65539 + pport, 0x27d4eb2f) ^ Math.imul(nat * 65539 + nport, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
