/**
 * The shipped REST profile of this sandbox, narrowed to one school with the vendor's `maTruong`
 * filter: a district-wide school system then answers a school's run with that school's records
 * only, as a vendor API filtered by school would (fees included: the school's fee items and
 * notices).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PROFILE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'adapters',
  'rest',
  'profiles',
  'sandbox-school.json',
);

export function sandboxSchoolProfile(schoolCode?: string): Record<string, unknown> {
  type Part = { query?: Record<string, string> };
  const profile = JSON.parse(readFileSync(PROFILE, 'utf8')) as { streams: Record<string, Part | Part[]> };
  if (schoolCode) {
    // A stream of several endpoints (fees: items, then notices) filters each.
    for (const part of Object.values(profile.streams).flat())
      part.query = { ...part.query, maTruong: schoolCode };
  }
  return profile;
}
