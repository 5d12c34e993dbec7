/**
 * Who a VNeID citizen is to the schools: matched by personal ID through the blind index (general
 * brokers link by e-mail, which schools do not hold reliably). A teacher gets the schools and
 * teacher codes where they teach; a guardian the students for whom C06 confirmed the link; a
 * student (6–14 with their own account) their school, where the client allows it; district staff
 * named in the settings their district's schools.
 *
 * The account id is the blind index itself (hex): stable, the same for every school app, and it
 * says nothing of the ID number without the hub's key. `findAccount` reads the claims afresh from it,
 * so a teacher who left a school loses it at the next token.
 */
import {
  blindIndex,
  type Database,
  guardianLinksOf,
  type Keyring,
  type KnownPerson,
  peopleByIds,
  peopleByKeys,
  peopleByPersonalId,
} from '../store/index.ts';
import type {
  AccountClaims,
  AccountResolution,
  ResolvedAccount,
  Role,
  SsoClientPolicy,
  UpstreamCitizen,
} from './sso/types.ts';

export interface AccountResolverOptions {
  db: Database;
  keyring: Keyring;
  /** District staff by personal ID → the school codes they oversee (SSO_DISTRICT_ADMINS). */
  districtAdmins?: Readonly<Record<string, readonly string[]>>;
}

/** The order a person with several roles is offered in: the first the client allows wins. */
const PRECEDENCE: readonly Role[] = ['district_admin', 'teacher', 'guardian', 'student'];

export function createAccountResolver(options: AccountResolverOptions) {
  const { db, keyring } = options;
  const admins = new Map<string, readonly string[]>();
  for (const [id, schools] of Object.entries(options.districtAdmins ?? {})) {
    admins.set(blindIndex(keyring, id).toString('hex'), schools);
  }

  async function claimsFor(
    accountId: string,
    people: KnownPerson[],
    name: string,
  ): Promise<Map<Role, AccountClaims>> {
    const byRole = new Map<Role, AccountClaims>();
    const adminSchools = admins.get(accountId);
    if (adminSchools)
      byRole.set('district_admin', { role: 'district_admin', name, schools: [...adminSchools] });
    const teachers = people.filter((p) => p.role === 'teacher');
    if (teachers.length > 0) {
      byRole.set('teacher', {
        role: 'teacher',
        name,
        schools: [...new Set(teachers.map((t) => t.schoolCode))],
        teacher_codes: [...new Set(teachers.map((t) => t.facts?.code).filter((c): c is string => !!c))],
      });
    }
    const students: Array<{ school: string; student_code: string }> = [];
    for (const guardian of people.filter((p) => p.role === 'guardian')) {
      const links = await guardianLinksOf(db, {
        schoolCode: guardian.schoolCode,
        guardianKey: guardian.recordKey,
      });
      const verified = links.filter((l) => l.verified).map((l) => l.studentKey);
      for (const child of await peopleByKeys(db, keyring, guardian.schoolCode, verified)) {
        if (child.facts?.code) students.push({ school: child.schoolCode, student_code: child.facts.code });
      }
    }
    if (people.some((p) => p.role === 'guardian')) {
      byRole.set('guardian', {
        role: 'guardian',
        name,
        schools: [...new Set(students.map((s) => s.school))],
        students,
      });
    }
    const asStudent = people.filter((p) => p.role === 'student');
    if (asStudent.length > 0) {
      byRole.set('student', {
        role: 'student',
        name,
        schools: [...new Set(asStudent.map((s) => s.schoolCode))],
        students: asStudent
          .filter((s) => s.facts?.code)
          .map((s) => ({ school: s.schoolCode, student_code: s.facts!.code! })),
      });
    }
    return byRole;
  }

  function pick(byRole: Map<Role, AccountClaims>, allowed: readonly Role[]): AccountResolution | undefined {
    for (const role of PRECEDENCE) {
      const claims = byRole.get(role);
      if (!claims || !allowed.includes(role)) continue;
      // A guardian with no confirmed child has nothing to see: refused, not let in empty-handed.
      if (role === 'guardian' && (claims.students?.length ?? 0) === 0) continue;
      return { ok: true, accountId: '', claims };
    }
    return undefined;
  }

  return {
    async resolveAccount(citizen: UpstreamCitizen, policy: SsoClientPolicy): Promise<AccountResolution> {
      const accountId = blindIndex(keyring, citizen.personalId).toString('hex');
      const people = await peopleByPersonalId(db, keyring, citizen.personalId);
      const byRole = await claimsFor(accountId, people, citizen.fullName);
      if (byRole.size === 0) return { ok: false, reason: 'unknown_citizen' };
      const chosen = pick(byRole, policy.allowedRoles);
      if (chosen?.ok) return { ...chosen, accountId };
      const onlyUnconfirmedGuardian =
        byRole.has('guardian') &&
        policy.allowedRoles.includes('guardian') &&
        [...byRole.keys()].every((r) => r === 'guardian' || !policy.allowedRoles.includes(r));
      return { ok: false, reason: onlyUnconfirmedGuardian ? 'no_verified_guardianship' : 'role_not_allowed' };
    },

    async findAccount(
      accountId: string,
      allowedRoles: readonly Role[] = PRECEDENCE,
    ): Promise<ResolvedAccount | undefined> {
      if (!/^[0-9a-f]{64}$/.test(accountId)) return undefined;
      const rows = await db.kysely
        .selectFrom('persons')
        .select('id')
        .where('personal_id_index', '=', Buffer.from(accountId, 'hex'))
        .execute();
      if (rows.length === 0 && !admins.has(accountId)) return undefined;
      const people = await peopleByIds(
        db,
        keyring,
        rows.map((r) => r.id),
      );
      const name = people.find((p) => p.facts?.fullName)?.facts?.fullName ?? '';
      const byRole = await claimsFor(accountId, people, name);
      // The application's roles, when known, so someone with two roles keeps the one they signed
      // in with; else the highest role the person holds.
      const chosen = pick(byRole, allowedRoles);
      return chosen?.ok ? { ...chosen, accountId } : undefined;
    },
  };
}
