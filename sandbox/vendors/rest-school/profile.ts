/**
 * The shipped REST profile of this sandbox, narrowed to one school with the vendor's `maTruong`
 * filter: a district-wide school system then answers a school's run with that school's records
 * only, as a vendor API filtered by school would.
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
  const profile = JSON.parse(readFileSync(PROFILE, 'utf8')) as {
    streams: Record<string, { query?: Record<string, string> }>;
  };
  if (schoolCode) {
    for (const stream of Object.values(profile.streams))
      stream.query = { ...stream.query, maTruong: schoolCode };
  }
  return profile;
}
