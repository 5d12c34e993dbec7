/**
 * The district at a glance: one row per school with each stream's last run, what waits for people
 * and a colour with its reason in words. The console's overview reads exactly this.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATUS_REASON_CODES, schoolStatuses } from '../../pipeline/school-status.ts';
import type { RunService } from '../../pipeline/service.ts';
import type { Database } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';

const bilingual = z.object({ vi: z.string(), en: z.string() });

const schoolStatusSchema = z
  .object({
    schoolCode: z.string(),
    name: z.string().nullable().describe('As the sources file names the school'),
    adapter: z.string().nullable().describe("The adapter reading the school's software"),
    configured: z.boolean().describe('Named in the sources file; false: only its past runs are known'),
    colour: z
      .enum(['green', 'amber', 'red', 'grey'])
      .describe('red: cannot sync or its last run failed; amber: people must act; grey: never synced'),
    reasons: z
      .array(
        z.object({
          code: z.enum(STATUS_REASON_CODES),
          colour: z.enum(['green', 'amber', 'red', 'grey']),
          vi: z.string(),
          en: z.string(),
        }),
      )
      .describe('Why the school has its colour, the most urgent first'),
    streams: z
      .array(
        z.object({
          stream: z.string(),
          targets: z.array(z.string()),
          runId: z.string(),
          state: z.string(),
          mode: z.string(),
          createdAt: z.iso.datetime({ offset: true }),
          finishedAt: z.iso.datetime({ offset: true }).nullable(),
          durationMs: z.number().int().nullable(),
          read: z.number().int(),
          sent: z.number().int().describe('Accepted, refused or dead-lettered by the targets'),
          refused: z.number().int(),
          deadLettered: z.number().int(),
          failure: z.object({ code: z.string(), message: z.string() }).nullable(),
        }),
      )
      .describe("Each stream's last run (a run carries several streams)"),
    lastRunAt: z.iso.datetime({ offset: true }).nullable(),
    lastSuccessAt: z.iso.datetime({ offset: true }).nullable(),
    deadLetters: z.object({
      open: z.number().int(),
      reasons: z.array(
        z.object({
          target: z.string(),
          stream: z.string(),
          code: z.string(),
          message: z.string().nullable(),
          count: z.number().int(),
          actor: z.enum(['school', 'vendor', 'city', 'district-it', 'hub']),
          action: bilingual,
        }),
      ),
    }),
    heldRuns: z.array(z.string()).describe('Runs held for approval'),
    identity: z.object({
      people: z.number().int(),
      withPersonalId: z.number().int(),
      confirmed: z.number().int().describe('With the personal ID confirmed by C06'),
      confirmedShare: z.number().nullable().describe('confirmed / people; null with no people'),
    }),
  })
  .meta({ id: 'SchoolStatus', description: 'A school at a glance' });

export const overviewRoutes: FastifyPluginAsyncZod<{ database: Database; runs: () => RunService }> = async (
  app,
  { database, runs },
) => {
  app.get(
    '/district/overview',
    {
      schema: {
        operationId: 'getDistrictOverview',
        tags: ['overview'],
        summary: 'Toàn quận / huyện trong một bảng / Every school at a glance',
        description:
          "One row per school the key covers (a city key: every school): each stream's last run, open dead letters by reason, held runs, identity coverage and a status colour with its reason.",
        security: SECURED,
        response: {
          200: z
            .object({
              generatedAt: z.iso.datetime({ offset: true }),
              totals: z.object({
                schools: z.number().int(),
                green: z.number().int(),
                amber: z.number().int(),
                red: z.number().int(),
                grey: z.number().int(),
                openDeadLetters: z.number().int(),
                heldRuns: z.number().int(),
              }),
              schools: z.array(schoolStatusSchema),
            })
            .meta({ id: 'DistrictOverview' }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => {
      const principal = await authorize(request, {
        action: 'overview:read',
        roles: ['district', 'school', 'city'],
      });
      const scope = principal.role === 'city' ? undefined : principal.schools;
      const schools = await schoolStatuses(database, await runs().configuredSchools(), scope);
      const count = (colour: string) => schools.filter((s) => s.colour === colour).length;
      return {
        generatedAt: new Date().toISOString(),
        totals: {
          schools: schools.length,
          green: count('green'),
          amber: count('amber'),
          red: count('red'),
          grey: count('grey'),
          openDeadLetters: schools.reduce((n, s) => n + s.deadLetters.open, 0),
          heldRuns: schools.reduce((n, s) => n + s.heldRuns.length, 0),
        },
        schools,
      };
    },
  );

  app.get(
    '/schools/:code/status',
    {
      schema: {
        operationId: 'getSchoolStatus',
        tags: ['overview'],
        summary: 'Một trường trong nháy mắt / A school at a glance',
        security: SECURED,
        params: z.object({ code: z.string().min(1).max(32) }),
        response: { 200: schoolStatusSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { code } = request.params;
      await authorize(request, {
        action: 'overview:read',
        schoolCode: code,
        roles: ['district', 'school', 'city'],
      });
      const [status] = await schoolStatuses(database, await runs().configuredSchools(), [code]);
      if (!status) throw problem('SCHOOL_NOT_CONFIGURED', { school: code });
      return status;
    },
  );
};
