/**
 * What SSC reports paid, per school, as the hub pulled it; and the cross-target reconciliation of
 * a school (bills against enrolment, guardians and payments).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RunService } from '../../pipeline/service.ts';
import { PermanentError } from '../../sdk/index.ts';
import { audit, type Database } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { ProblemError, problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';

const paymentSchema = z
  .object({
    paymentId: z.string(),
    receivableNo: z.string().describe('Số phiếu báo thu the payment settles'),
    studentCode: z.string(),
    amount: z.int().describe('đồng'),
    fee: z.int().nullable().describe('Transaction fee charged to the payer, đồng'),
    channel: z.string(),
    paidAt: z.iso.datetime({ offset: true }),
    bankReferenceTail: z.string().nullable().describe('Last 4 characters of the bank reference'),
    writtenBackAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .describe(
        'When the school’s software took the payment (written back through its adapter); null until then',
      ),
    writeBackCode: z
      .string()
      .nullable()
      .describe('The last refusal or failure of the write-back, as the adapter coded it; null once written'),
    writeBackError: z.string().nullable().describe('Its message'),
    writeBackAttempts: z.int().describe('Write-backs tried, the successful one included'),
  })
  .meta({ id: 'Payment', description: 'A payment SSC reported (giao dịch)' });

const pullSchema = z
  .object({
    schoolCode: z.string(),
    read: z.int(),
    new: z.int(),
    invalid: z.array(z.object({ code: z.string(), field: z.string().optional(), message: z.string() })),
    since: z.string().nullable(),
    until: z.string().nullable(),
    writeBackTo: z
      .string()
      .nullable()
      .describe('The adapter payments were written back through; null when the school’s adapter writes none'),
    writtenBack: z.int().describe('Payments the school’s software took in this pull'),
    writeBackRefused: z.int().describe('Payments it refused in this pull (kept, offered again at the next)'),
    writeBackErrors: z
      .array(z.object({ paymentId: z.string().nullable(), code: z.string(), message: z.string() }))
      .describe('The refusals (first 100), and a failure of the write as a whole (paymentId null)'),
  })
  .meta({
    id: 'PaymentPull',
    description:
      'What one pull of payments from SSC read, and what was written back to the school’s software',
  });

const reconciliationSchema = z
  .object({
    schoolCode: z.string(),
    generatedAt: z.string(),
    schoolYear: z.string().nullable(),
    unavailable: z.array(z.string()),
    verificationSource: z.enum(['c06', 'none']),
    counts: z.object({
      students: z.int(),
      enrolled: z.int(),
      notices: z.int(),
      withdrawnStillBilled: z.int(),
      enrolledWithoutNotice: z.int(),
      billedGuardianNotVerified: z.int(),
    }),
    withdrawnStillBilled: z.array(
      z.object({
        studentCode: z.string(),
        status: z.string(),
        receivableNo: z.string(),
        total: z.int(),
        paid: z.int(),
        outstanding: z.int(),
      }),
    ),
    enrolledWithoutNotice: z.array(z.object({ studentCode: z.string(), className: z.string().nullable() })),
    billedGuardianNotVerified: z.array(
      z.object({
        studentCode: z.string(),
        receivableNo: z.string(),
        guardianKey: z.string().nullable(),
        reason: z.enum(['no_guardian', 'no_personal_id', 'not_checked', 'not_confirmed']),
      }),
    ),
    cityRoster: z
      .object({
        students: z.int(),
        teachers: z.int(),
        onlyInSchool: z.array(z.object({ kind: z.enum(['HocSinh', 'GiaoVien']), code: z.string() })),
        onlyInCity: z.array(z.object({ kind: z.enum(['HocSinh', 'GiaoVien']), code: z.string() })),
        differing: z.array(
          z.object({
            kind: z.enum(['HocSinh', 'GiaoVien']),
            code: z.string(),
            fields: z.array(z.string()).describe('The city’s field names that differ (values are not shown)'),
            matchedBy: z.enum(['code', 'personalId']),
          }),
        ),
      })
      .nullable()
      .describe('Master data against the city Education DB’s roster; null without that target'),
  })
  .meta({ id: 'Reconciliation', description: 'A school’s bills against enrolment, guardians and payments' });

const school = z.object({ code: z.string().min(1).max(32) });

/** A configuration problem (SSC or the school's source not set up) as a 409 the caller can read. */
function unavailable(error: unknown): never {
  if (error instanceof PermanentError) {
    throw new ProblemError({ status: 409, code: error.code, detail: error.message });
  }
  throw error;
}

export const paymentsRoutes: FastifyPluginAsyncZod<{ database: Database; runs: () => RunService }> = async (
  app,
  { database, runs },
) => {
  app.get(
    '/schools/:code/payments',
    {
      schema: {
        operationId: 'listPayments',
        tags: ['payments'],
        summary: 'Các khoản đã nộp qua SSC / Payments SSC reported for a school',
        description:
          'Payments the hub pulled from SSC, oldest first, each with whether the school’s software took it (written back through its adapter). Pull new ones with POST …/payments/pull. The bank reference is kept sealed; only its last 4 characters are shown.',
        security: SECURED,
        params: school,
        querystring: z.object({
          since: z.iso.datetime({ offset: true }).optional(),
          receivableNo: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(5_000).default(500),
        }),
        response: {
          200: z.object({ schoolCode: z.string(), payments: z.array(paymentSchema) }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const principal = await authorize(request, {
        action: 'payments:read',
        schoolCode: request.params.code,
      });
      const payments = await runs().listPayments({
        schoolCode: request.params.code,
        limit: request.query.limit,
        ...(request.query.since ? { since: request.query.since } : {}),
        ...(request.query.receivableNo ? { receivableNo: request.query.receivableNo } : {}),
      });
      // Payments are financial personal data: who looked is on record.
      await audit(database, {
        actor: principal.actor,
        role: principal.role,
        action: 'payments:read',
        resource: `school:${request.params.code}`,
        decision: 'allow',
        detail: { school: request.params.code, count: payments.length },
      });
      return { schoolCode: request.params.code, payments };
    },
  );

  app.post(
    '/schools/:code/payments/pull',
    {
      schema: {
        operationId: 'pullPayments',
        tags: ['payments'],
        summary: 'Lấy các khoản nộp mới từ SSC / Pull a school’s new payments from SSC',
        description:
          'Reads the payments SSC reports since the last pull, then writes every payment the school’s software does not hold yet back to it, when the school’s adapter writes payments. A refusal is kept on the payment and offered again at the next pull.',
        security: SECURED,
        params: school,
        response: { 200: pullSchema, ...problemResponses(401, 403, 409) },
      },
    },
    async (request) => {
      await authorize(request, {
        action: 'payments:write',
        schoolCode: request.params.code,
        roles: ['district', 'school'],
      });
      return runs().pullPayments(request.params.code).catch(unavailable);
    },
  );

  app.post(
    '/schools/:code/payments/:paymentId/receipt',
    {
      schema: {
        operationId: 'issuePaymentReceipt',
        tags: ['payments'],
        summary: 'Biên lai / hóa đơn điện tử của một khoản nộp / The e-receipt or e-invoice of a payment',
        description:
          'SSC issues the document of a payment the hub pulled (or returns the one it issued before: one document per payment): the HDon XML of the tax authority’s layout (unsigned in the sandbox) and its series and number.',
        security: SECURED,
        params: school.extend({ paymentId: z.string().min(1).max(64) }),
        // No body at all asks for the e-receipt.
        body: z.object({ kind: z.enum(['e_receipt', 'e_invoice']).default('e_receipt') }).nullable(),
        response: {
          200: z.object({
            invoice: z.object({
              kind: z.enum(['e_invoice', 'e_receipt']),
              template: z.string(),
              series: z.string(),
              number: z.string(),
              issuedAt: z.string(),
              total: z.int(),
              paymentId: z.string().optional(),
              receivableNo: z.string().optional(),
              studentCode: z.string(),
            }),
            xml: z.string().describe('HDon XML'),
            messageId: z.string(),
          }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const principal = await authorize(request, {
        action: 'payments:write',
        schoolCode: request.params.code,
        roles: ['district', 'school'],
      });
      const issued = await runs()
        .issueReceipt(request.params.code, request.params.paymentId, request.body?.kind ?? 'e_receipt')
        .catch(unavailable);
      if (!issued) {
        throw problem('PAYMENT_NOT_FOUND', {
          payment: request.params.paymentId,
          school: request.params.code,
        });
      }
      await audit(database, {
        actor: principal.actor,
        role: principal.role,
        action: 'payments:receipt',
        resource: `payment:${request.params.paymentId}`,
        decision: 'allow',
        detail: { school: request.params.code, kind: request.body?.kind ?? 'e_receipt' },
      });
      return issued as { invoice: never; xml: string; messageId: string };
    },
  );

  app.get(
    '/schools/:code/reconciliation',
    {
      schema: {
        operationId: 'getReconciliation',
        tags: ['payments'],
        summary: 'Đối soát học sinh – phiếu thu – thanh toán / A school’s reconciliation',
        description:
          'Read fresh from the school’s software and compared with the payments SSC reported (withdrawn students still billed, enrolled students with no fee notice, billed students whose billing guardian is not verified) and with the city Education DB’s roster (only in the school, only in the city, fields that differ).',
        security: SECURED,
        params: school,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1_000) }),
        response: { 200: reconciliationSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      await authorize(request, { action: 'reconciliation:read', schoolCode: request.params.code });
      return runs().reconcile(request.params.code, { limit: request.query.limit }).catch(unavailable);
    },
  );
};
