/**
 * Identity checks: online against C06 through the gateway, offline from what a card reader at
 * school produced. Each check is compared by the same rules (compareIdentity), kept with who asked
 * and why, becomes the person's status, and is written to the audit log. A student's check also
 * confirms or not each guardian link the school declares: C06 lists father, mother and legal
 * representative by ID number.
 */
import { randomUUID } from 'node:crypto';
import { bilingualLine, describeError, type ErrorValues } from '../model/error-catalogue.ts';
import {
  audit,
  type Database,
  guardianLinksOf,
  type Keyring,
  type KnownPerson,
  peopleByIds,
  peopleByKeys,
  peopleByPersonalId,
  recordCheck,
  setGuardianLinkVerified,
  type VerificationStatus,
} from '../store/index.ts';
import type { C06Lookup } from './c06/client.ts';
import type { C06Citizen } from './c06/soap.ts';
import { compareIdentity, type IdentityComparison } from './compare.ts';
import { publishIdentityCheck } from './events.ts';
import { CardPayloadError } from './offline/card.ts';
import { cardFacts, parseReaderPayload } from './offline/payload.ts';

export interface Requester {
  /** Who asked: an API key's prefix (`key:1a2b3c4d`), `cli:<user>`, `sync:<run id>`. */
  actor: string;
  role: string | null;
  /** Why: what the law asks every access to name (e.g. `enrolment`, `guardian-login`). */
  purpose: string;
}

export interface CheckOutcome {
  personId: string;
  schoolCode: string;
  role: string;
  result: Exclude<VerificationStatus, 'unchecked' | 'pending'> | 'skipped';
  /** Which fields differed and how; an error's code; why it was skipped. */
  fields?: IdentityComparison['fields'];
  code?: string;
  /** Guardian links of a student this check confirmed, and those it could not. */
  guardianLinks?: { confirmed: number; notConfirmed: number };
}

export interface OfflineOutcome extends CheckOutcome {
  method: 'qr' | 'chip';
}

/** A check that cannot be made as asked; its text is the error catalogue's for `code`. */
export class IdentityError extends Error {
  readonly vi: string;
  readonly en: string;
  constructor(
    readonly code: 'IDENTITY_NO_C06' | 'IDENTITY_PERSON_UNKNOWN' | 'IDENTITY_PAYLOAD',
    values: ErrorValues = {},
    readonly details: Record<string, unknown> = {},
  ) {
    const text = describeError(code, values).message;
    super(bilingualLine(text));
    this.name = 'IdentityError';
    this.vi = text.vi;
    this.en = text.en;
  }
}

export interface IdentityServiceOptions {
  db: Database;
  keyring: Keyring;
  /** Absent when C06 is not configured: online checks then fail with IDENTITY_NO_C06. */
  c06?: C06Lookup;
  /** How long a verification stands (default 180 days). */
  validForMs?: number;
  /** How long before an errored check is due again (default an hour). */
  retryErrorsAfterMs?: number;
  now?: () => Date;
}

const DAY = 86_400_000;

export class IdentityService {
  private readonly validForMs: number;
  private readonly retryAfterMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: IdentityServiceOptions) {
    this.validForMs = options.validForMs ?? 180 * DAY;
    this.retryAfterMs = options.retryErrorsAfterMs ?? 3_600_000;
    this.now = options.now ?? (() => new Date());
  }

  get keyring(): Keyring {
    return this.options.keyring;
  }

  get online(): boolean {
    return this.options.c06 !== undefined;
  }

  /** Checks these people online, one lookup each, in order; the outcome of each. */
  async checkOnline(personIds: readonly string[], by: Requester): Promise<CheckOutcome[]> {
    const c06 = this.options.c06;
    if (!c06) {
      throw new IdentityError('IDENTITY_NO_C06');
    }
    const people = await peopleByIds(this.options.db, this.options.keyring, personIds);
    const byId = new Map(people.map((p) => [p.id, p]));
    const outcomes: CheckOutcome[] = [];
    for (const id of personIds) {
      const person = byId.get(id);
      if (!person) continue;
      outcomes.push(await this.checkOne(c06, person, by));
    }
    return outcomes;
  }

  private async checkOne(c06: C06Lookup, person: KnownPerson, by: Requester): Promise<CheckOutcome> {
    const base = { personId: person.id, schoolCode: person.schoolCode, role: person.role };
    if (!person.personalId || !person.facts) return { ...base, result: 'skipped', code: 'NO_PERSONAL_ID' };
    let outcome: CheckOutcome;
    try {
      const answer = await c06.lookup({
        personalId: person.personalId,
        fullName: person.facts.fullName,
        ...(person.facts.birthDate ? { birthDate: person.facts.birthDate } : {}),
        correlationId: randomUUID(),
      });
      if (!answer.found) outcome = { ...base, result: 'not_found' };
      else {
        const comparison = compareIdentity(
          {
            personalId: person.personalId,
            fullName: person.facts.fullName,
            ...(person.facts.birthDate ? { birthDate: person.facts.birthDate } : {}),
            ...(person.facts.gender ? { gender: person.facts.gender } : {}),
          },
          {
            personalId: answer.citizen.personalId,
            fullName: answer.citizen.fullName,
            ...(answer.citizen.birthDate ? { birthDate: answer.citizen.birthDate } : {}),
            ...(answer.citizen.birthYear !== undefined ? { birthYear: answer.citizen.birthYear } : {}),
            ...(answer.citizen.gender ? { gender: answer.citizen.gender } : {}),
          },
        );
        outcome = { ...base, result: comparison.result, fields: comparison.fields };
        if (person.role === 'student') {
          outcome.guardianLinks = await this.confirmGuardians(person, answer.citizen);
        }
      }
    } catch (error) {
      // A gateway or C06 failure is the check's result, not the caller's crash: it is kept, and
      // the person is due again after a while.
      outcome = { ...base, result: 'error', code: (error as { code?: string }).code ?? 'C06_UNAVAILABLE' };
    }
    await this.keep(person, 'c06', outcome, by);
    return outcome;
  }

  /** Confirms each guardian link of a student that C06 lists as father, mother or representative. */
  private async confirmGuardians(
    student: KnownPerson,
    citizen: C06Citizen,
  ): Promise<{ confirmed: number; notConfirmed: number }> {
    const { db, keyring } = this.options;
    const links = await guardianLinksOf(db, {
      schoolCode: student.schoolCode,
      studentKey: student.recordKey,
    });
    if (links.length === 0) return { confirmed: 0, notConfirmed: 0 };
    const guardians = await peopleByKeys(
      db,
      keyring,
      student.schoolCode,
      links.map((l) => l.guardianKey),
    );
    const idOf = new Map(guardians.map((g) => [g.recordKey, g.personalId]));
    const listed = new Set(
      [citizen.father, citizen.mother, citizen.representative]
        .map((r) => r?.personalId)
        .filter((id): id is string => !!id),
    );
    let confirmed = 0;
    for (const link of links) {
      const id = idOf.get(link.guardianKey);
      const ok = !!id && listed.has(id);
      if (ok) confirmed++;
      await setGuardianLinkVerified(db, {
        schoolCode: link.schoolCode,
        studentKey: link.studentKey,
        guardianKey: link.guardianKey,
        verified: ok,
        method: 'c06',
      });
    }
    return { confirmed, notConfirmed: links.length - confirmed };
  }

  /**
   * Checks a card read at school: parses the reader's payload, finds the person by the card's ID
   * among the schools the caller may see, compares, and marks them `verified_offline` when it
   * matches. The caller queues an online confirmation.
   */
  async checkOffline(
    input: { payload: string; schoolCodes: readonly string[]; personId?: string },
    by: Requester,
  ): Promise<OfflineOutcome> {
    let parsed: ReturnType<typeof parseReaderPayload>;
    try {
      parsed = parseReaderPayload(input.payload);
    } catch (error) {
      if (error instanceof CardPayloadError) {
        throw new IdentityError(
          'IDENTITY_PAYLOAD',
          { reason: { vi: error.vi, en: error.en } },
          {
            rule: error.code,
            field: error.field,
            ...(error.position !== null ? { position: error.position } : {}),
          },
        );
      }
      throw error;
    }
    const { db, keyring } = this.options;
    const candidates = input.personId
      ? (await peopleByIds(db, keyring, [input.personId])).filter((p) =>
          input.schoolCodes.includes(p.schoolCode),
        )
      : await peopleByPersonalId(db, keyring, parsed.card.personalId, input.schoolCodes);
    const person = candidates[0];
    if (!person) {
      throw new IdentityError('IDENTITY_PERSON_UNKNOWN');
    }
    const method = parsed.kind;
    const base = { personId: person.id, schoolCode: person.schoolCode, role: person.role, method };
    const comparison = compareIdentity(
      {
        ...(person.personalId ? { personalId: person.personalId } : {}),
        ...(person.facts?.fullName ? { fullName: person.facts.fullName } : {}),
        ...(person.facts?.birthDate ? { birthDate: person.facts.birthDate } : {}),
        ...(person.facts?.gender ? { gender: person.facts.gender } : {}),
      },
      cardFacts(parsed.card),
    );
    const outcome: OfflineOutcome = {
      ...base,
      result: comparison.result === 'verified' ? 'verified_offline' : 'mismatch',
      fields: comparison.fields,
    };
    await this.keep(person, method, outcome, by);
    return outcome;
  }

  private async keep(
    person: KnownPerson,
    method: string,
    outcome: CheckOutcome,
    by: Requester,
  ): Promise<void> {
    if (outcome.result === 'skipped') {
      publishIdentityCheck({ method, result: outcome.result });
      return;
    }
    const now = this.now().getTime();
    const validUntil =
      outcome.result === 'error'
        ? new Date(now + this.retryAfterMs)
        : outcome.result === 'verified' || outcome.result === 'verified_offline'
          ? new Date(now + this.validForMs)
          : null;
    const detail = {
      ...(outcome.fields && outcome.fields.length > 0 ? { fields: outcome.fields } : {}),
      ...(outcome.code ? { code: outcome.code } : {}),
      ...(outcome.guardianLinks ? { guardianLinks: outcome.guardianLinks } : {}),
    };
    await this.options.db.kysely.transaction().execute(async (trx) => {
      await recordCheck(trx, {
        personId: person.id,
        method,
        result: outcome.result as Exclude<VerificationStatus, 'unchecked'>,
        detail: Object.keys(detail).length > 0 ? detail : null,
        requestedBy: by.actor,
        purpose: by.purpose,
        validUntil,
      });
      // Whose data (a row id, never the ID number), by whom, when, for what, and how it came out.
      await audit(trx, {
        actor: by.actor,
        role: by.role,
        action: `identity:check:${method}`,
        resource: `person/${person.id}`,
        decision: 'allow',
        detail: {
          school: person.schoolCode,
          subjectRole: person.role,
          purpose: by.purpose,
          result: outcome.result,
          ...(outcome.code ? { code: outcome.code } : {}),
        },
      });
    });
    publishIdentityCheck({ method, result: outcome.result });
  }
}
