/**
 * The school-year calendar: the year opens on 5 September (khai giảng nationwide), semester I runs
 * to mid-January, semester II to the end of May. All dates come from the school year's name, never
 * from the clock, so every run writes the same bytes.
 */

export interface SchoolCalendar {
  schoolYear: string;
  startYear: number;
  start: string;
  semester1End: string;
  semester2Start: string;
  end: string;
  /** When the sandbox "pulled" the data: a fixed night after the year closed. */
  pulledAt: string;
  /** The day the data is meant to be checked on (ages, future dates). */
  checkAsOf: string;
}

export function parseSchoolYear(schoolYear: string): number {
  const match = /^(\d{4})-(\d{4})$/.exec(schoolYear);
  if (!match || Number(match[2]) !== Number(match[1]) + 1) {
    throw new RangeError(`schoolYear must look like "2025-2026" (got "${schoolYear}")`);
  }
  return Number(match[1]);
}

export function schoolCalendar(schoolYear: string): SchoolCalendar {
  const y = parseSchoolYear(schoolYear);
  return {
    schoolYear,
    startYear: y,
    start: `${y}-09-05`,
    semester1End: `${y + 1}-01-17`,
    semester2Start: `${y + 1}-01-19`,
    end: `${y + 1}-05-31`,
    pulledAt: `${y + 1}-06-15T02:00:00+07:00`,
    checkAsOf: `${y + 1}-11-27`,
  };
}

const DAY_MS = 86_400_000;

/** The ISO date `days` after `iso` (UTC arithmetic: no time zone, no clock). */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (ISO dates). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export const daysInYear = (year: number): number =>
  (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;

/** The ISO date of day `dayIndex` (0-based) of `year`. */
export const dayOfYear = (year: number, dayIndex: number): string => addDays(`${year}-01-01`, dayIndex);
