/**
 * An open-addressing hash table from integer keys (up to 2^53) to integer values, kept in two
 * Float64Arrays: 16 bytes a slot instead of the ~50 a JavaScript Map spends on a boxed number
 * entry. The dataset rules keep one entry per person of a district, so this is what keeps their
 * memory small on a file of hundreds of thousands of students.
 */
const EMPTY = 0;
const TWO_32 = 2 ** 32;

function slotOf(key: number, mask: number): number {
  const lo = (key % TWO_32) | 0;
  const hi = (key / TWO_32) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & mask;
}

export class NumberTable {
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 64) {
    let capacity = 16;
    while (capacity * 0.75 < initialCapacity) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  // Zero marks an empty slot, so a zero key is stored as one; keys here are fingerprints and ID
  // numbers, where that conflation never matters.
  private static normal(key: number): number {
    return key === EMPTY ? 1 : key;
  }

  get(key: number): number | undefined {
    const k = NumberTable.normal(key);
    for (let i = slotOf(k, this.mask); ; i = (i + 1) & this.mask) {
      const found = this.keys[i]!;
      if (found === k) return this.values[i];
      if (found === EMPTY) return undefined;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, value: number): void {
    const k = NumberTable.normal(key);
    for (let i = slotOf(k, this.mask); ; i = (i + 1) & this.mask) {
      const found = this.keys[i]!;
      if (found === k) {
        this.values[i] = value;
        return;
      }
      if (found === EMPTY) {
        this.keys[i] = k;
        this.values[i] = value;
        this.size++;
        // Linear probing stays short up to three quarters full.
        if (this.size * 4 > this.mask * 3) this.grow();
        return;
      }
    }
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Float64Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== EMPTY) this.set(keys[i]!, values[i]!);
    }
  }
}
