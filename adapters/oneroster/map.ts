/**
 * Small mapping helpers shared by the streams: keys, locations, required fields, names, IDs,
 * dates, roles.
 */
import type { Source } from '../../src/model/index.ts';
import { parseDate, RecordError, recordSource } from '../../src/sdk/index.ts';
import type { OneRosterConfig } from './config.ts';
import type { OrUser } from './types.ts';

export const ADAPTER = { id: 'oneroster', version: '1.0.0' } as const;

export type Kind =
  | 'school'
  | 'school-year'
  | 'semester'
  | 'class'
  | 'subject'
  | 'student'
  | 'teacher'
  | 'enrollment'
  | 'assessment';

/** `oneroster-<system>:<kind>-<sourcedId>`: stable for as long as the provider keeps its sourcedIds. */
export const keyOf = (config: OneRosterConfig, kind: Kind, id: string): string =>
  `oneroster-${config.system}:${kind}-${id}`;

/** Where a person finds the record at the provider: `users/st-7912345678`. */
export const locationOf = (collection: string, sourcedId: string | undefined): string =>
  `${collection}/${sourcedId ?? '(no sourcedId)'}`;

export const sourceOf = (schoolCode: string, now: Date, location: string): Source =>
  recordSource(ADAPTER, schoolCode, now, location);

/** The value, or a RecordError `FIELD_MISSING` naming the canonical field and the provider's record. */
export function required<T>(value: T | undefined | null, field: string, location: string, what?: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new RecordError(
      'FIELD_MISSING',
      `${field}: thiếu ${what ?? 'giá trị'} / the ${what ?? 'value'} is missing`,
      { field, location },
    );
  }
  return value;
}

/** OneRoster keeps names in parts; Vietnamese order is family, middle, given. */
export function fullNameOf(user: OrUser): string {
  return [user.familyName, user.middleName, user.givenName]
    .map((part) => part?.trim())
    .filter((part): part is string => Boolean(part))
    .join(' ');
}

/** The national personal ID from `userIds`, by the configured types in order (type matched case-insensitively). */
export function personalIdOf(user: OrUser, types: readonly string[]): string | undefined {
  const ids = user.userIds ?? [];
  for (const type of types) {
    const hit = ids.find((id) => id.type?.toLowerCase() === type.toLowerCase() && id.identifier?.trim());
    if (hit) return hit.identifier!.trim();
  }
  return undefined;
}

/** An ISO date from a OneRoster date or date-time. */
export const isoDate = (value: unknown, field: string, location: string): string =>
  parseDate(value, { field, location, formats: ['yyyy-MM-dd', 'iso-datetime'] });

/** The user's roles, 1.2 (`roles[].role`) or 1.1 (`role`). */
export function rolesOf(user: OrUser): string[] {
  const roles = (user.roles ?? []).flatMap((r) => (r.role ? [r.role] : []));
  if (user.role) roles.push(user.role);
  return roles;
}

export const GUARDIAN_ROLES: ReadonlySet<string> = new Set(['parent', 'guardian', 'relative']);

export const isStudent = (user: OrUser): boolean => rolesOf(user).includes('student');
export const isTeacher = (user: OrUser): boolean => rolesOf(user).includes('teacher');
export const isGuardian = (user: OrUser): boolean => rolesOf(user).some((r) => GUARDIAN_ROLES.has(r));

/** The org a user belongs to in a role: the primary role's org, else `primaryOrg`, else the first org. */
export function orgOfRole(user: OrUser, role: string): string | undefined {
  const roles = (user.roles ?? []).filter((r) => r.role === role && r.org?.sourcedId);
  const primary = roles.find((r) => r.roleType === 'primary') ?? roles[0];
  return primary?.org?.sourcedId ?? user.primaryOrg?.sourcedId ?? user.orgs?.[0]?.sourcedId;
}

/** Grade from CEDS grade codes ("06") or plain numbers; undefined for anything else (KG, PS …). */
export function gradeOf(grades: readonly string[] | undefined): number | undefined {
  for (const g of grades ?? []) {
    if (/^\d{1,2}$/.test(g.trim())) {
      const n = Number(g);
      if (n >= 1 && n <= 12) return n;
    }
  }
  return undefined;
}
