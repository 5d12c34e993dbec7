/**
 * People a student or teacher record needs besides its own user: demographics (birth date, sex,
 * ethnicity) and guardians (the `agents` with a parent, guardian or relative role).
 *
 * Two ways to get them, with the same interface:
 * - `bulk`: read `/demographics` and the guardians among `/users` once, keeping a compact copy of
 *   each (about 150 bytes a person). A full read does this: a few dozen pages instead of one call
 *   per person.
 * - `byId`: `GET /demographics/{id}` and `GET /users/{id}` when asked, cached. An incremental read
 *   touching few people does this.
 */
import type { OneRosterClient } from './client.ts';
import { GUARDIAN_ROLES, isGuardian, rolesOf } from './map.ts';
import { isActive, type OrDemographics, type OrUser } from './types.ts';

export interface Lookups {
  demographics(id: string): Promise<OrDemographics | undefined>;
  user(id: string): Promise<OrUser | undefined>;
  /** Active guardians of a student: its agents with a guardian role, and guardians whose agents name it. */
  guardiansOf(student: OrUser): Promise<OrUser[]>;
}

/** The fields a guardian needs, nothing more (bulk lookups hold one per guardian of the district). */
function compactGuardian(u: OrUser): OrUser {
  return {
    sourcedId: u.sourcedId,
    status: u.status,
    roles: (u.roles ?? []).filter((r) => r.role && GUARDIAN_ROLES.has(r.role)).map((r) => ({ role: r.role })),
    ...(u.role ? { role: u.role } : {}),
    givenName: u.givenName,
    familyName: u.familyName,
    ...(u.middleName ? { middleName: u.middleName } : {}),
    ...(u.userIds?.length
      ? { userIds: u.userIds.map((i) => ({ type: i.type, identifier: i.identifier })) }
      : {}),
    ...(u.phone ? { phone: u.phone } : {}),
    ...(u.sms ? { sms: u.sms } : {}),
    agents: (u.agents ?? []).flatMap((a) => (a.sourcedId ? [{ sourcedId: a.sourcedId }] : [])),
  };
}

function compactDemographics(d: OrDemographics): OrDemographics {
  const ethnicity = d.metadata?.ethnicityCode;
  return {
    sourcedId: d.sourcedId,
    status: d.status,
    ...(d.birthDate ? { birthDate: d.birthDate } : {}),
    ...(d.sex ? { sex: d.sex } : {}),
    ...(ethnicity !== undefined ? { metadata: { ethnicityCode: ethnicity } } : {}),
  };
}

async function guardiansFrom(
  student: OrUser,
  user: (id: string) => Promise<OrUser | undefined>,
  reverse: ReadonlyMap<string, readonly string[]> | undefined,
): Promise<OrUser[]> {
  const ids = new Set((student.agents ?? []).flatMap((a) => (a.sourcedId ? [a.sourcedId] : [])));
  for (const id of reverse?.get(student.sourcedId ?? '') ?? []) ids.add(id);
  const guardians: OrUser[] = [];
  for (const id of ids) {
    const g = await user(id);
    if (g && isActive(g) && isGuardian(g)) guardians.push(g);
  }
  return guardians;
}

/** Reads demographics (and, when asked, guardians) of the whole provider into memory. */
export async function bulkLookups(client: OneRosterClient, want: { guardians: boolean }): Promise<Lookups> {
  const demographics = new Map<string, OrDemographics>();
  for await (const d of client.list<OrDemographics>('rostering', 'demographics', 'demographics')) {
    if (d.sourcedId) demographics.set(d.sourcedId, compactDemographics(d));
  }
  const guardians = new Map<string, OrUser>();
  const reverse = new Map<string, string[]>();
  if (want.guardians) {
    for await (const u of client.list<OrUser>('rostering', 'users', 'users')) {
      if (!u.sourcedId || !rolesOf(u).some((r) => GUARDIAN_ROLES.has(r))) continue;
      const g = compactGuardian(u);
      guardians.set(u.sourcedId, g);
      for (const child of g.agents ?? []) {
        const list = reverse.get(child.sourcedId!);
        if (list) list.push(u.sourcedId);
        else reverse.set(child.sourcedId!, [u.sourcedId]);
      }
    }
  }
  const user = async (id: string) => guardians.get(id);
  return {
    demographics: async (id) => demographics.get(id),
    user,
    guardiansOf: (student) => guardiansFrom(student, user, reverse),
  };
}

/** Asks the provider for each person when needed, remembering the answers for this read. */
export function byIdLookups(client: OneRosterClient): Lookups {
  const users = new Map<string, Promise<OrUser | undefined>>();
  const demographics = new Map<string, Promise<OrDemographics | undefined>>();
  const user = (id: string) => {
    let hit = users.get(id);
    if (!hit) {
      hit = client.get<OrUser>('rostering', `users/${encodeURIComponent(id)}`, 'user');
      users.set(id, hit);
    }
    return hit;
  };
  return {
    demographics: (id) => {
      let hit = demographics.get(id);
      if (!hit) {
        hit = client.get<OrDemographics>(
          'rostering',
          `demographics/${encodeURIComponent(id)}`,
          'demographics',
        );
        demographics.set(id, hit);
      }
      return hit;
    },
    user,
    guardiansOf: (student) => guardiansFrom(student, user, undefined),
  };
}
