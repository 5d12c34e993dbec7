/**
 * Who the hub knows and what was verified about them: teachers, students and guardians by school,
 * their personal ID encrypted (with its blind index), the identity facts a check compares sealed,
 * the student ↔ guardian links the school declares, and every check made.
 */
import { createHmac } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { blindIndex, type Keyring, normalisePersonalId } from './crypto.ts';
import { type Db, kyselyOf, type Tables } from './db.ts';
import { identityDocument, unsealIdentity } from './persons.ts';
import { seal } from './sealed.ts';
import type { PersonRole, VerificationStatus } from './tables.ts';

export type { PersonRole, VerificationStatus };

/** What an identity check compares. Personal data: sealed at rest, never logged. */
export interface IdentityFacts {
  fullName: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  gender?: 'male' | 'female';
  /** The sector's code for the person (mã học sinh, mã cán bộ), shown to the school app at login. */
  code?: string;
}

export interface IdentityPersonInput {
  schoolCode: string;
  role: PersonRole;
  recordKey: string;
  personalId: string | null;
  /** The blind index of `personalId`, when the caller computed it already. */
  personalIdIndex?: Buffer;
  facts: IdentityFacts;
  /**
   * More that counts as this person's identity data for change detection, not stored: a student's
   * guardian links, so that an unchanged student means unchanged links and both can be skipped.
   */
  digest?: string;
}

export interface GuardianLinkInput {
  schoolCode: string;
  studentKey: string;
  guardianKey: string;
  relationship: string;
}

export interface KnownPerson {
  id: string;
  schoolCode: string;
  role: PersonRole;
  recordKey: string;
  personalId: string | null;
  facts: IdentityFacts | null;
  status: VerificationStatus;
  statusMethod: string | null;
  statusAt: Date | null;
  statusDetail: unknown;
  statusUntil: Date | null;
}

/**
 * The key a guardian gets when the school keeps guardians only on the student's record: the same
 * person in two families of one school is one guardian, and the key reveals nothing of the ID.
 */
export function guardianKeyOf(keyring: Keyring, personalId: string): string {
  return guardianKeyFromIndex(blindIndex(keyring, personalId));
}

/** `guardianKeyOf` from a blind index already computed (one HMAC a guardian, not two). */
export function guardianKeyFromIndex(index: Buffer): string {
  return `guardian:${index.subarray(0, 16).toString('hex')}`;
}

function factsHash(keyring: Keyring, person: IdentityPersonInput): Buffer {
  const { fullName, birthDate, gender, code } = person.facts;
  return createHmac('sha256', keyring.blindIndexKey)
    .update(
      JSON.stringify([
        person.personalId === null ? null : normalisePersonalId(person.personalId),
        fullName.normalize('NFC'),
        birthDate ?? null,
        gender ?? null,
        code ?? null,
        person.digest ?? null,
      ]),
    )
    .digest();
}

/** A person whose identity data differs from what the hub holds (or who is new), with its HMAC. */
export interface ChangedPerson {
  person: IdentityPersonInput;
  hash: Buffer;
}

/**
 * The people, among these, that are new or whose ID or identity facts changed: one read of the
 * stored HMACs a school, nothing decrypted, nothing written. On a normal night that is nobody, so
 * the encryption and the upsert are spent only on the few who changed.
 */
export async function changedPeople(
  db: Db,
  keyring: Keyring,
  people: readonly IdentityPersonInput[],
): Promise<ChangedPerson[]> {
  if (people.length === 0) return [];
  const unique = [...new Map(people.map((p) => [`${p.schoolCode}\u0000${p.recordKey}`, p])).values()];
  const known = new Map<string, Buffer | null>();
  for (const school of new Set(unique.map((p) => p.schoolCode))) {
    // One array parameter, not thousands of them: PostgreSQL plans it once and fast.
    const keys = unique.filter((p) => p.schoolCode === school).map((p) => p.recordKey);
    const rows = await kyselyOf(db)
      .selectFrom('persons')
      .select(['record_key', 'facts_hash'])
      .where('school_code', '=', school)
      .where(sql<boolean>`record_key = any(${keys}::text[])`)
      .execute();
    for (const r of rows)
      known.set(`${school}\u0000${r.record_key}`, r.facts_hash ? Buffer.from(r.facts_hash) : null);
  }
  return unique
    .map((person) => ({ person, hash: factsHash(keyring, person) }))
    .filter(({ person, hash }) => !known.get(`${person.schoolCode}\u0000${person.recordKey}`)?.equals(hash));
}

/**
 * Writes people `changedPeople` found new or changed, in one statement: each gets the status
 * `unchecked` again and is returned, so a check can be queued for them.
 */
export async function upsertPeople(
  db: Db,
  keyring: Keyring,
  people: readonly ChangedPerson[],
  options: { returning?: boolean } = {},
): Promise<Array<{ id: string; schoolCode: string; hasPersonalId: boolean }>> {
  if (people.length === 0) return [];
  const rows = people.map(({ person: p, hash }) => {
    // One seal a person: the ID travels inside the facts' document (see `unsealIdentity`).
    const facts = seal(keyring, identityDocument(p.personalId, p.facts));
    return {
      school_code: p.schoolCode,
      record_key: p.recordKey,
      role: p.role,
      personal_id_index:
        p.personalId === null ? null : (p.personalIdIndex ?? blindIndex(keyring, p.personalId)),
      facts: facts.payload,
      facts_key_id: facts.keyId,
      facts_hash: hash,
    };
  });
  // Seven array parameters, whatever the batch's size (UNNEST, as the ledger does), instead of
  // ten parameters a row: the first sight of a school is mostly this statement. `returning` of an
  // upsert with a `where` gives only the rows inserted or actually updated. The ID's own column is
  // emptied: the ID is in the facts' seal now.
  const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  const changed = await sql<{ id: string; school_code: string; has_id: boolean }>`
    insert into persons (school_code, record_key, role, personal_id_index, facts, facts_key_id, facts_hash)
    select v.school_code, v.record_key, v.role, decode(v.idx, 'hex'), decode(v.facts, 'hex'), v.facts_key_id,
      decode(v.hash, 'hex')
    from unnest(${col('school_code')}::text[], ${col('record_key')}::text[], ${col('role')}::text[],
      ${rows.map((r) => hex(r.personal_id_index))}::text[], ${rows.map((r) => hex(r.facts))}::text[],
      ${col('facts_key_id')}::text[], ${rows.map((r) => hex(r.facts_hash))}::text[])
      as v(school_code, record_key, role, idx, facts, facts_key_id, hash)
    on conflict (school_code, record_key) do update set
      role = excluded.role,
      personal_id_cipher = null,
      personal_id_key_id = null,
      personal_id_index = excluded.personal_id_index,
      facts = excluded.facts,
      facts_key_id = excluded.facts_key_id,
      facts_hash = excluded.facts_hash,
      status = 'unchecked', status_method = null, status_at = null, status_detail = null,
      status_until = null, updated_at = now()
    where persons.facts_hash is distinct from excluded.facts_hash
    ${
      // A sync run does not use the answer (the identity worker's sweep finds whom to check): three
      // rows a student it need not send back on a first sync.
      options.returning === false
        ? sql``
        : sql`returning id, school_code, personal_id_index is not null as has_id`
    }`.execute(kyselyOf(db));
  return (changed.rows ?? []).map((r) => ({ id: r.id, schoolCode: r.school_code, hasPersonalId: r.has_id }));
}

/**
 * Inserts or updates people by (school, record key): `changedPeople`, then `upsertPeople`.
 * Someone new, or whose ID or identity facts changed, gets the status `unchecked` again and is
 * returned, so a check can be queued for them; someone unchanged is left alone (and their
 * verification stands).
 */
export async function registerPeople(
  db: Db,
  keyring: Keyring,
  people: readonly IdentityPersonInput[],
): Promise<{
  toCheck: Array<{ id: string; schoolCode: string; hasPersonalId: boolean }>;
  /** `school\u0000recordKey` of everyone inserted or changed. */
  changedKeys: Set<string>;
}> {
  const changed = await changedPeople(db, keyring, people);
  return {
    toCheck: await upsertPeople(db, keyring, changed),
    changedKeys: new Set(changed.map(({ person: p }) => `${p.schoolCode}\u0000${p.recordKey}`)),
  };
}

/**
 * The school changed some records' keys (a corrected student code, a merge): the people and the
 * links they are the student of move to the new keys, with their verification, so the next
 * registration finds them instead of adding them a second time. A new key already taken is left
 * as it is (the old row stays for a person to look at).
 */
export async function renamePeople(
  db: Db,
  schoolCode: string,
  renames: ReadonlyArray<{ from: string; to: string }>,
): Promise<void> {
  if (renames.length === 0) return;
  const from = renames.map((r) => r.from);
  const to = renames.map((r) => r.to);
  await kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      await sql`
        update persons p set record_key = m.to_key
        from unnest(${from}::text[], ${to}::text[]) as m(from_key, to_key)
        where p.school_code = ${schoolCode} and p.record_key = m.from_key
          and not exists (select 1 from persons q where q.school_code = ${schoolCode} and q.record_key = m.to_key)
      `.execute(trx);
      await sql`
        update guardian_links g set student_key = m.to_key
        from unnest(${from}::text[], ${to}::text[]) as m(from_key, to_key)
        where g.school_code = ${schoolCode} and g.student_key = m.from_key
          and not exists (
            select 1 from guardian_links h
            where h.school_code = ${schoolCode} and h.student_key = m.to_key and h.guardian_key = g.guardian_key)
      `.execute(trx);
    });
}

/** Records the links a school declares; a link already verified stays verified. */
export async function registerGuardianLinks(db: Db, links: readonly GuardianLinkInput[]): Promise<void> {
  if (links.length === 0) return;
  const unique = [
    ...new Map(links.map((l) => [`${l.schoolCode}\u0000${l.studentKey}\u0000${l.guardianKey}`, l])).values(),
  ];
  await sql`
    insert into guardian_links (school_code, student_key, guardian_key, relationship)
    select * from unnest(${unique.map((l) => l.schoolCode)}::text[], ${unique.map((l) => l.studentKey)}::text[],
      ${unique.map((l) => l.guardianKey)}::text[], ${unique.map((l) => l.relationship)}::text[])
    on conflict (school_code, student_key, guardian_key) do update set
      relationship = excluded.relationship, updated_at = now()
    where guardian_links.relationship is distinct from excluded.relationship`.execute(kyselyOf(db));
}

type PersonRow = {
  id: string;
  school_code: string;
  role: PersonRole;
  record_key: string;
  personal_id_cipher: Buffer | null;
  personal_id_key_id: string | null;
  facts: Buffer | null;
  facts_key_id: string | null;
  status: VerificationStatus;
  status_method: string | null;
  status_at: Date | null;
  status_detail: unknown;
  status_until: Date | null;
};

const PERSON_COLUMNS = [
  'id',
  'school_code',
  'role',
  'record_key',
  'personal_id_cipher',
  'personal_id_key_id',
  'facts',
  'facts_key_id',
  'status',
  'status_method',
  'status_at',
  'status_detail',
  'status_until',
] as const;

function toKnown(keyring: Keyring, row: PersonRow): KnownPerson {
  return {
    id: row.id,
    schoolCode: row.school_code,
    role: row.role,
    recordKey: row.record_key,
    ...(unsealIdentity(keyring, row) as { personalId: string | null; facts: IdentityFacts | null }),
    status: row.status,
    statusMethod: row.status_method,
    statusAt: row.status_at,
    statusDetail: row.status_detail ?? null,
    statusUntil: row.status_until,
  };
}

/** People by their row ids (unknown ids are left out). */
export async function peopleByIds(db: Db, keyring: Keyring, ids: readonly string[]): Promise<KnownPerson[]> {
  if (ids.length === 0) return [];
  const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (valid.length === 0) return [];
  const rows = await kyselyOf(db)
    .selectFrom('persons')
    .select(PERSON_COLUMNS)
    .where('id', 'in', valid)
    .execute();
  return rows.map((r) => toKnown(keyring, r as PersonRow));
}

/** Everyone holding this ID number, in any school, found through the blind index. */
export async function peopleByPersonalId(
  db: Db,
  keyring: Keyring,
  personalId: string,
  schoolCodes?: readonly string[],
): Promise<KnownPerson[]> {
  let query = kyselyOf(db)
    .selectFrom('persons')
    .select(PERSON_COLUMNS)
    .where('personal_id_index', '=', blindIndex(keyring, personalId));
  if (schoolCodes) {
    if (schoolCodes.length === 0) return [];
    query = query.where('school_code', 'in', [...schoolCodes]);
  }
  const rows = await query.orderBy('school_code').orderBy('record_key').execute();
  return rows.map((r) => toKnown(keyring, r as PersonRow));
}

/** People of a school by record key. */
export async function peopleByKeys(
  db: Db,
  keyring: Keyring,
  schoolCode: string,
  recordKeys: readonly string[],
): Promise<KnownPerson[]> {
  if (recordKeys.length === 0) return [];
  const rows = await kyselyOf(db)
    .selectFrom('persons')
    .select(PERSON_COLUMNS)
    .where('school_code', '=', schoolCode)
    .where('record_key', 'in', [...recordKeys])
    .execute();
  return rows.map((r) => toKnown(keyring, r as PersonRow));
}

/** Ids of a school's people (optionally of one role and statuses), for a batch of checks. */
export async function personIdsOf(
  db: Db,
  filter: { schoolCode: string; roles?: readonly PersonRole[]; statuses?: readonly VerificationStatus[] },
): Promise<string[]> {
  let query = kyselyOf(db)
    .selectFrom('persons')
    .select('id')
    .where('school_code', '=', filter.schoolCode)
    .where('personal_id_index', 'is not', null);
  if (filter.roles) query = query.where('role', 'in', [...filter.roles]);
  if (filter.statuses) query = query.where('status', 'in', [...filter.statuses]);
  return (await query.orderBy('role').orderBy('record_key').execute()).map((r) => r.id);
}

export interface GuardianLink {
  schoolCode: string;
  studentKey: string;
  guardianKey: string;
  relationship: string;
  verified: boolean;
  verifiedAt: Date | null;
  verifiedMethod: string | null;
}

const toLink = (r: {
  school_code: string;
  student_key: string;
  guardian_key: string;
  relationship: string;
  verified: boolean;
  verified_at: Date | null;
  verified_method: string | null;
}): GuardianLink => ({
  schoolCode: r.school_code,
  studentKey: r.student_key,
  guardianKey: r.guardian_key,
  relationship: r.relationship,
  verified: r.verified,
  verifiedAt: r.verified_at,
  verifiedMethod: r.verified_method,
});

/** The links of a student, or of a guardian, in one school. */
export async function guardianLinksOf(
  db: Db,
  by: { schoolCode: string; studentKey?: string; guardianKey?: string },
): Promise<GuardianLink[]> {
  let query = kyselyOf(db).selectFrom('guardian_links').selectAll().where('school_code', '=', by.schoolCode);
  if (by.studentKey !== undefined) query = query.where('student_key', '=', by.studentKey);
  if (by.guardianKey !== undefined) query = query.where('guardian_key', '=', by.guardianKey);
  return (await query.orderBy('student_key').orderBy('guardian_key').execute()).map(toLink);
}

/** Marks one link confirmed (C06 lists the guardian as the student's parent or representative) or not. */
export async function setGuardianLinkVerified(
  db: Db,
  link: { schoolCode: string; studentKey: string; guardianKey: string; verified: boolean; method: string },
): Promise<void> {
  await kyselyOf(db)
    .updateTable('guardian_links')
    // When and how it was last checked, whichever way it came out: a link checked and not
    // confirmed is not the same as one never checked.
    .set({
      verified: link.verified,
      verified_at: new Date(),
      verified_method: link.method,
      updated_at: sql`now()`,
    })
    .where('school_code', '=', link.schoolCode)
    .where('student_key', '=', link.studentKey)
    .where('guardian_key', '=', link.guardianKey)
    .execute();
}

export interface CheckRecord {
  personId: string;
  /** `c06`, `qr`, `chip`. */
  method: string;
  result: Exclude<VerificationStatus, 'unchecked'>;
  /** Fields that differed and how, or an error code: never personal values. */
  detail?: Record<string, unknown> | null;
  requestedBy: string;
  purpose: string;
  /** Until when the result stands (null: until the facts change). */
  validUntil: Date | null;
}

/** Keeps one check and makes it the person's status, in one transaction. */
export async function recordCheck(db: Db, check: CheckRecord): Promise<void> {
  const write = async (trx: Kysely<Tables>) => {
    const detail = check.detail == null ? null : JSON.stringify(check.detail);
    await trx
      .insertInto('identity_checks')
      .values({
        person_id: check.personId,
        method: check.method,
        result: check.result,
        detail,
        requested_by: check.requestedBy,
        purpose: check.purpose,
      })
      .execute();
    await trx
      .updateTable('persons')
      .set({
        status: check.result,
        status_method: check.method,
        status_at: new Date(),
        status_detail: detail,
        status_until: check.validUntil,
      })
      .where('id', '=', check.personId)
      .execute();
  };
  const kysely = kyselyOf(db);
  if (kysely.isTransaction) await write(kysely);
  else await kysely.transaction().execute(write);
}

/** The checks made about one person, newest first. */
export async function checksOf(
  db: Db,
  personId: string,
  limit = 20,
): Promise<
  Array<{ at: Date; method: string; result: string; detail: unknown; requestedBy: string; purpose: string }>
> {
  const rows = await kyselyOf(db)
    .selectFrom('identity_checks')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: r.at,
    method: r.method,
    result: r.result,
    detail: r.detail ?? null,
    requestedBy: r.requested_by,
    purpose: r.purpose,
  }));
}

export const COVERAGE_STATUSES = [
  'verified',
  'verified_offline',
  'mismatch',
  'not_found',
  'error',
  'pending',
  'unchecked',
] as const satisfies readonly VerificationStatus[];

export type IdentityCoverage = Record<
  PersonRole,
  Record<(typeof COVERAGE_STATUSES)[number] | 'noPersonalId' | 'total', number>
>;

/** Per role, how many people stand in each status (and how many have no ID on file at all). */
export async function identityCoverage(db: Db, schoolCode: string): Promise<IdentityCoverage> {
  const rows = await kyselyOf(db)
    .selectFrom('persons')
    .select([
      'role',
      'status',
      sql<boolean>`personal_id_index is null`.as('no_id'),
      sql<string>`count(*)`.as('n'),
    ])
    .where('school_code', '=', schoolCode)
    .groupBy(['role', 'status', sql`personal_id_index is null`])
    .execute();
  const empty = () =>
    Object.fromEntries([...COVERAGE_STATUSES, 'noPersonalId', 'total'].map((k) => [k, 0])) as Record<
      (typeof COVERAGE_STATUSES)[number] | 'noPersonalId' | 'total',
      number
    >;
  const coverage: IdentityCoverage = { teacher: empty(), student: empty(), guardian: empty() };
  for (const row of rows) {
    const bucket = coverage[row.role];
    const n = Number(row.n);
    bucket.total += n;
    if (row.no_id) bucket.noPersonalId += n;
    else bucket[row.status] += n;
  }
  return coverage;
}

/** A school's people who need following up (not verified online or offline), for the report. */
export async function peopleToFollowUp(db: Db, keyring: Keyring, schoolCode: string): Promise<KnownPerson[]> {
  const rows = await kyselyOf(db)
    .selectFrom('persons')
    .select(PERSON_COLUMNS)
    .where('school_code', '=', schoolCode)
    .where('status', 'not in', ['verified', 'verified_offline'])
    .orderBy('role')
    .orderBy('status')
    .orderBy('record_key')
    .execute();
  return rows.map((r) => toKnown(keyring, r as PersonRow));
}

/**
 * Marks people as queued for a check until `until`: the status is the check's lease, so a job
 * Redis lost makes them due again once it lapses, with no outbox of its own.
 */
export async function markPending(db: Db, personIds: readonly string[], until: Date): Promise<void> {
  if (personIds.length === 0) return;
  await kyselyOf(db)
    .updateTable('persons')
    .set({ status: 'pending', status_until: until })
    .where('id', 'in', [...personIds])
    .execute();
}

/**
 * People due for an online check, oldest first: never checked, a lapsed lease or verification, or
 * an error whose wait is over. Mismatches and not-found stay until their facts change or a person
 * asks again: checking them again would only say the same.
 */
export async function peopleDue(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await kyselyOf(db)
    .selectFrom('persons')
    .select('id')
    .where('personal_id_index', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'unchecked'),
        eb.and([eb('status', 'in', ['pending', 'error', 'verified']), eb('status_until', '<', now)]),
      ]),
    )
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
