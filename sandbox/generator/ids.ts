/**
 * Identifiers that must be unique across the district: personal ID numbers, student and teacher
 * codes. Each is a counter passed through a bijection of its range, so numbers look scattered but
 * can never collide, and the state is one counter per bucket (a few hundred integers in all).
 */
import { PROVINCE_CODES } from '../../src/model/codes.ts';
import { type Gender, genderCenturyDigit } from '../../src/model/personal-id.ts';
import { hash32, type Random, Weighted } from './random.ts';

const SUFFIXES = 1_000_000;
/** Coprime with 10, so `counter * MULTIPLIER mod 10^6` visits every 6-digit suffix once. */
const SUFFIX_MULTIPLIER = 618_033;

export interface PersonalIdParts {
  province: string;
  /** Digit 4: gender and century. */
  digit4: number;
  /** Digits 5–6. */
  yy: number;
}

/**
 * Hands out 12-digit personal ID numbers, never the same twice in one district. Numbers for
 * injected faults are counted down from the top of each bucket while the others count up, so a
 * run with faults gives every clean record the very number it has in a run without.
 */
export class PersonalIdAllocator {
  private readonly up = new Map<number, number>();
  private readonly down = new Map<number, number>();

  constructor(private readonly seed: number) {}

  /** A number with exactly these leading parts (valid or, for a fault, deliberately not). */
  allocate(parts: PersonalIdParts, forFault = false): string {
    const bucket = Number(parts.province) * 1000 + parts.digit4 * 100 + parts.yy;
    const up = this.up.get(bucket) ?? 0;
    const down = this.down.get(bucket) ?? 0;
    if (up + down >= SUFFIXES) throw new Error(`personal ID bucket ${bucket} is exhausted`);
    if (forFault) this.down.set(bucket, down + 1);
    else this.up.set(bucket, up + 1);
    const index = forFault ? SUFFIXES - 1 - down : up;
    const offset = hash32(this.seed, 0x1d, bucket) % SUFFIXES;
    const suffix = (index * SUFFIX_MULTIPLIER + offset) % SUFFIXES;
    return `${parts.province}${parts.digit4}${String(parts.yy).padStart(2, '0')}${String(suffix).padStart(6, '0')}`;
  }

  /** A consistent number for someone born in `province` in `birthYear`. */
  forPerson(province: string, gender: Gender, birthYear: number, forFault = false): string {
    return this.allocate(
      { province, digit4: genderCenturyDigit(gender, birthYear), yy: birthYear % 100 },
      forFault,
    );
  }
}

/** A weighted list of province codes, each checked against the code list once at load. */
function provinces(entries: ReadonlyArray<readonly [string, number]>): Weighted<string> {
  for (const [code] of entries) {
    if (!PROVINCE_CODES.has(code)) throw new Error(`province ${code} is not in the code list`);
  }
  return new Weighted(entries);
}

/** Birth-registration provinces of children in HCMC schools: most born in the city. */
export const CHILD_PROVINCES = provinces([
  ['079', 86],
  ['080', 2],
  ['074', 1],
  ['075', 1],
  ['083', 1],
  ['082', 1],
  ['089', 1],
  ['087', 1],
  ['038', 1],
  ['040', 1],
  ['052', 0.8],
  ['094', 0.7],
  ['084', 0.6],
  ['086', 0.6],
  ['096', 0.6],
  ['066', 0.4],
  ['001', 0.3],
]);

/** Adults were often born elsewhere and came to the city to work. */
export const ADULT_PROVINCES = provinces([
  ['079', 52],
  ['080', 5],
  ['083', 4],
  ['082', 4],
  ['089', 4],
  ['087', 3],
  ['086', 3],
  ['084', 3],
  ['094', 3],
  ['091', 2],
  ['092', 2],
  ['096', 2],
  ['038', 3],
  ['040', 3],
  ['042', 2],
  ['052', 2],
  ['051', 1.5],
  ['049', 1.5],
  ['054', 1],
  ['036', 1],
  ['034', 1],
  ['001', 1],
  ['068', 1],
  ['066', 1],
]);

/** Province codes that are not birth-registration codes, as seen in mistyped numbers. */
export const BAD_PROVINCES = ['000', '003', '078', '097', '099', '790'].filter((c) => !PROVINCE_CODES.has(c));

/**
 * Opaque codes (mã học sinh, mã cán bộ): a district-wide counter through a bijection of a
 * `digits`-digit range, behind a fixed prefix.
 */
export class CodeSequence {
  private up = 0;
  private down = 0;
  private readonly range: number;
  private readonly offset: number;

  constructor(
    seed: number,
    private readonly prefix: string,
    private readonly digits: number,
    private readonly multiplier: number,
  ) {
    this.range = 10 ** digits;
    this.offset = hash32(seed, 0xc0de, digits, multiplier) % this.range;
  }

  /** The next code; `forFault` codes come from the top of the range, as for ID numbers. */
  next(forFault = false): string {
    if (this.up + this.down >= this.range) throw new Error(`code range ${this.prefix} is exhausted`);
    const index = forFault ? this.range - 1 - this.down++ : this.up++;
    const n = (index * this.multiplier + this.offset) % this.range;
    return `${this.prefix}${String(n).padStart(this.digits, '0')}`;
  }
}

const MOBILE_PREFIXES = [
  '090',
  '093',
  '089',
  '070',
  '079',
  '077',
  '076',
  '078',
  '091',
  '094',
  '088',
  '081',
  '083',
  '084',
  '085',
  '096',
  '097',
  '098',
  '086',
  '032',
  '033',
  '034',
  '035',
  '036',
  '037',
  '038',
  '039',
];

/** A Vietnamese mobile number, `09xxxxxxxx` / `03xxxxxxxx` … */
export function mobilePhone(random: Random): string {
  return `${random.pick(MOBILE_PREFIXES)}${String(random.int(10_000_000)).padStart(7, '0')}`;
}
