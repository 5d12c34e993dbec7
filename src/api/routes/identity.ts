/**
 * Identity checks: online against C06 (one person, a list, or a school's people by role and
 * status), offline from what a card reader at school produced, each person's status, and a school's
 * coverage. Every access to identity data is audited by the service (the check) or here (a read).
 */
import type { Queue } from 'bullmq';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type IdentityCheckJob, queueChecks } from '../../identity/queue.ts';
import { IdentityError, type IdentityService } from '../../identity/service.ts';
import {
  audit,
  checksOf,
  type Database,
  guardianLinksOf,
  identityCoverage,
  peopleByIds,
  peopleByKeys,
  personIdsOf,
} from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import type { Limit } from '../limits.ts';
import { ProblemError, problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';
import { QUEUES_WORK } from '../stores.ts';

export interface IdentityRuntime {
  service: IdentityService;
  /** Where checks are queued; absent in a process without Redis (checks then run only with `wait`). */
  queue?: Queue<IdentityCheckJob>;
}

const ROLES = ['student', 'teacher', 'guardian'] as const;
const STATUSES = [
  'unchecked',
  'pending',
  'verified',
  'verified_offline',
  'mismatch',
  'not_found',
  'error',
] as const;
/** At most this many people are checked while the caller waits; more are queued. */
const WAIT_LIMIT = 50;

const fieldsSchema = z
  .array(
    z.object({
      field: z.enum(['personalId', 'fullName', 'birthDate', 'gender']),
      how: z.enum(['diacritics_only', 'different', 'missing']),
    }),
  )
  .describe('Fields that did not match and how (values are never shown)');

const outcomeSchema = z
  .object({
    personId: z.string(),
    schoolCode: z.string(),
    role: z.string(),
    result: z.enum(['verified', 'verified_offline', 'mismatch', 'not_found', 'error', 'skipped']),
    fields: fieldsSchema.optional(),
    code: z.string().optional().describe('An error’s code, or why the person was skipped'),
    guardianLinks: z
      .object({ confirmed: z.int(), notConfirmed: z.int() })
      .optional()
      .describe(
        'A student’s guardian links this check confirmed (C06 lists them as parent or representative)',
      ),
  })
  .meta({ id: 'IdentityCheckOutcome' });

const purpose = z
  .string()
  .min(3)
  .max(100)
  .describe('Why the data is looked at (kept in the audit log, as the Personal Data Protection Law asks)');

function asProblem(error: unknown): never {
  if (error instanceof IdentityError) {
    // The status is the catalogue's: 409 IDENTITY_NO_C06, 404 IDENTITY_PERSON_UNKNOWN, 422 IDENTITY_PAYLOAD.
    throw new ProblemError({
      code: error.code,
      detail: error.message,
      extensions: { vi: error.vi, en: error.en, ...error.details },
    });
  }
  throw error;
}

export const identityRoutes: FastifyPluginAsyncZod<{
  database: Database;
  identity: () => IdentityRuntime;
  /** Identity checks a minute per API key (RATE_LIMIT_IDENTITY). */
  limit?: Limit;
}> = async (app, { database, identity, limit }) => {
  if (limit) {
    // After the key check (the parent's hook): the key is known, and counted.
    app.addHook('onRequest', async (request) => {
      if (!request.principal) return;
      const limited = await limit.hit(request.principal.actor);
      if (limited) throw limited;
    });
  }
  app.post(
    '/identity/checks',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'requestIdentityChecks',
        tags: ['identity'],
        summary: 'Tra cứu C06 / Check people against the national population database (C06)',
        description:
          'Checks one person, a list (`personIds` or `recordKeys`), or a school’s people by role and status. With `wait` and at most 50 people, the checks run while you wait and their outcomes come back; otherwise they are queued (limited to the C06 quota) and the count comes back with 202.',
        security: SECURED,
        body: z.object({
          school: z.string().min(1).max(32),
          personIds: z.array(z.uuid()).max(10_000).optional(),
          recordKeys: z.array(z.string().min(1)).max(10_000).optional(),
          roles: z.array(z.enum(ROLES)).optional(),
          statuses: z.array(z.enum(STATUSES)).optional(),
          purpose,
          wait: z.boolean().default(false),
        }),
        response: {
          200: z.object({ checked: z.int(), outcomes: z.array(outcomeSchema) }),
          202: z.object({ queued: z.int() }),
          ...problemResponses(400, 401, 403, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const principal = await authorize(request, {
        action: 'identity:write',
        schoolCode: body.school,
        roles: ['district', 'school'],
      });
      const { service, queue } = identity();
      let ids: string[];
      if (body.personIds) {
        ids = (await peopleByIds(database, service.keyring, body.personIds))
          .filter((p) => p.schoolCode === body.school)
          .map((p) => p.id);
      } else if (body.recordKeys) {
        ids = (await peopleByKeys(database, service.keyring, body.school, body.recordKeys)).map((p) => p.id);
      } else {
        ids = await personIdsOf(database, {
          schoolCode: body.school,
          ...(body.roles ? { roles: body.roles } : {}),
          ...(body.statuses ? { statuses: body.statuses } : {}),
        });
      }
      const requester = { actor: principal.actor, role: principal.role, purpose: body.purpose };
      if (body.wait && ids.length <= WAIT_LIMIT) {
        const outcomes = await service.checkOnline(ids, requester).catch(asProblem);
        return { checked: outcomes.length, outcomes };
      }
      if (!service.online) asProblem(new IdentityError('IDENTITY_NO_C06'));
      if (!queue) {
        throw problem('IDENTITY_QUEUE_UNAVAILABLE', { limit: WAIT_LIMIT });
      }
      const queued = await queueChecks(queue, database, ids, requester);
      return reply.code(202).send({ queued });
    },
  );

  app.post(
    '/identity/offline',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'checkIdentityOffline',
        tags: ['identity'],
        summary: 'Kiểm tra bằng thẻ CCCD tại trường / Check a card read at school (QR or chip)',
        description:
          'Takes what a reader produced: the QR text of a CCCD or căn cước card (7 `|`-separated fields, more on 2024 cards), or the chip’s JSON (DG13 and the passive-authentication result). Finds the person by the card’s ID number among your schools, compares by the C06 rules, marks them `verified_offline` when it matches, and queues an online confirmation. A malformed payload gets 422 naming the rule and field.',
        security: SECURED,
        body: z.object({
          payload: z.union([z.string().min(1).max(4_000), z.record(z.string(), z.unknown())]),
          school: z.string().min(1).max(32).optional(),
          personId: z.uuid().optional(),
          purpose,
        }),
        response: {
          200: outcomeSchema.extend({
            method: z.enum(['qr', 'chip']),
            onlineConfirmationQueued: z.boolean(),
          }),
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const body = request.body;
      const principal = await authorize(request, {
        action: 'identity:write',
        ...(body.school ? { schoolCode: body.school } : {}),
        roles: ['district', 'school'],
      });
      const { service, queue } = identity();
      const requester = { actor: principal.actor, role: principal.role, purpose: body.purpose };
      const schoolCodes = body.school ? [body.school] : principal.schools;
      const payload = typeof body.payload === 'string' ? body.payload : JSON.stringify(body.payload);
      const outcome = await service
        .checkOffline(
          { payload, schoolCodes, ...(body.personId ? { personId: body.personId } : {}) },
          requester,
        )
        .catch(asProblem);
      let onlineConfirmationQueued = false;
      if (service.online && queue) {
        // The card says who holds it; C06 says whether the record is right: confirm online too.
        await queueChecks(queue, database, [outcome.personId], {
          ...requester,
          purpose: 'offline-confirmation',
        });
        onlineConfirmationQueued = true;
      }
      return { ...outcome, onlineConfirmationQueued };
    },
  );

  app.get(
    '/identity/people/:id/status',
    {
      schema: {
        operationId: 'getIdentityStatus',
        tags: ['identity'],
        summary: 'Trạng thái xác thực của một người / A person’s verification status',
        description:
          'The latest status (verified online or offline, mismatch with the fields, not found, error, unchecked), its method and time, the last checks with who asked and why, and the guardian links. No personal values: the ID number and name stay in the school’s software.',
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        response: {
          200: z
            .object({
              personId: z.string(),
              schoolCode: z.string(),
              role: z.enum(ROLES),
              recordKey: z.string(),
              hasPersonalId: z.boolean(),
              status: z.enum(STATUSES),
              method: z.string().nullable(),
              at: z.string().nullable(),
              validUntil: z.string().nullable(),
              detail: z.unknown(),
              checks: z.array(
                z.object({
                  at: z.string(),
                  method: z.string(),
                  result: z.string(),
                  detail: z.unknown(),
                  requestedBy: z.string(),
                  purpose: z.string(),
                }),
              ),
              guardianLinks: z.array(
                z.object({
                  studentKey: z.string(),
                  guardianKey: z.string(),
                  relationship: z.string(),
                  verified: z.boolean(),
                  verifiedAt: z.string().nullable(),
                }),
              ),
            })
            .meta({ id: 'IdentityStatus' }),
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const { service } = identity();
      const [person] = await peopleByIds(database, service.keyring, [request.params.id]);
      // An unknown id and one outside the caller's schools answer alike, after the refusal is logged.
      const principal = await authorize(request, {
        action: 'identity:read',
        schoolCode: person?.schoolCode ?? '(unknown)',
      });
      if (!person) throw problem('PERSON_NOT_FOUND', {});
      const [checks, links] = await Promise.all([
        checksOf(database, person.id),
        person.role === 'student'
          ? guardianLinksOf(database, { schoolCode: person.schoolCode, studentKey: person.recordKey })
          : person.role === 'guardian'
            ? guardianLinksOf(database, { schoolCode: person.schoolCode, guardianKey: person.recordKey })
            : Promise.resolve([]),
      ]);
      await audit(database, {
        actor: principal.actor,
        role: principal.role,
        action: 'identity:status:read',
        resource: `person/${person.id}`,
        decision: 'allow',
        detail: { school: person.schoolCode, subjectRole: person.role },
      });
      return {
        personId: person.id,
        schoolCode: person.schoolCode,
        role: person.role,
        recordKey: person.recordKey,
        hasPersonalId: person.personalId !== null,
        status: person.status,
        method: person.statusMethod,
        at: person.statusAt?.toISOString() ?? null,
        validUntil: person.statusUntil?.toISOString() ?? null,
        detail: person.statusDetail,
        checks: checks.map((c) => ({ ...c, at: c.at.toISOString() })),
        guardianLinks: links.map((l) => ({
          studentKey: l.studentKey,
          guardianKey: l.guardianKey,
          relationship: l.relationship,
          verified: l.verified,
          verifiedAt: l.verifiedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  const counts = z.object(
    Object.fromEntries([...STATUSES, 'noPersonalId', 'total'].map((k) => [k, z.int()])) as Record<
      (typeof STATUSES)[number] | 'noPersonalId' | 'total',
      z.ZodInt
    >,
  );
  app.get(
    '/schools/:code/identity-coverage',
    {
      schema: {
        operationId: 'getIdentityCoverage',
        tags: ['identity'],
        summary: 'Độ phủ xác thực danh tính / A school’s identity coverage',
        description:
          'Per role (teachers, students, guardians): how many are verified online, offline, mismatched, not found, in error, queued, unchecked, and how many have no ID number on file.',
        security: SECURED,
        params: z.object({ code: z.string().min(1).max(32) }),
        response: {
          200: z
            .object({
              schoolCode: z.string(),
              generatedAt: z.string(),
              roles: z.object({ teacher: counts, student: counts, guardian: counts }),
            })
            .meta({ id: 'IdentityCoverage' }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => {
      await authorize(request, { action: 'identity:read', schoolCode: request.params.code });
      const roles = await identityCoverage(database, request.params.code);
      return { schoolCode: request.params.code, generatedAt: new Date().toISOString(), roles };
    },
  );
};
