/**
 * Seeded randomness. Every draw comes from sfc32 seeded by hashing the run's seed with tags
 * (school, class, student, purpose), so a record's content depends only on where it sits in the
 * district, not on which files are written or on what was drawn before it. No Math.random, no
 * clock, and no transcendental functions (their last bit may differ between engines): normals
 * are Irwin–Hall sums of uniforms.
 */

/** Murmur3's finaliser: a cheap, well-mixed 32-bit permutation. */
function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes integers (the seed and any tags) into one 32-bit value. */
export function hash32(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = fmix32(h ^ fmix32((v | 0) + Math.floor(v / 0x100000000)));
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  return fmix32(h);
}

/** Purposes of the independent random streams a student or a school draws from. */
export const Purpose = {
  school: 1,
  teachers: 2,
  plan: 3,
  student: 4,
  grades: 5,
  fees: 6,
  defect: 7,
  timetable: 8,
} as const;

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for the run's seed and the given tags. */
  constructor(seed: number, ...tags: readonly number[]) {
    this.a = hash32(seed, 1, ...tags);
    this.b = hash32(seed, 2, ...tags);
    this.c = hash32(seed, 3, ...tags);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x100000000;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Approximately standard normal: the sum of four uniforms, centred and scaled (Irwin–Hall). */
  normal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508075688772;
  }
}

/** Items with weights, drawn in proportion to them. */
export class Weighted<T> {
  private readonly items: readonly T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.items = entries.map(([item]) => item);
    let sum = 0;
    this.cumulative = entries.map(([, w]) => {
      sum += w;
      return sum;
    });
    this.total = sum;
  }

  draw(random: Random): T {
    const x = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
