/**
 * The SOAP adapter's configuration: the WSDL, optionally another endpoint than the WSDL names,
 * credentials (secrets marked), the profile, the schools to read, and how patient to be.
 */
import { z } from 'zod';
import { DEFAULT_PAGE_ATTEMPTS, secret } from '../../src/sdk/index.ts';

export const SoapConfigSchema = z.object({
  /** Where the WSDL is: `https://qlth.example.vn/TruongHoc.asmx?wsdl`. */
  wsdlUrl: z.url(),
  /** The service's address when it differs from the WSDL's `soap:address` (an internal host name). */
  endpoint: z.url().optional(),
  /** A shipped profile's name (`sandbox-soap`), a profile JSON file's path, or the profile itself. */
  profile: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  system: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"')
    .optional(),
  /** Schools to read (default: every school the profile's `schools` operation lists). */
  schoolCodes: z.array(z.string().min(1)).min(1).optional(),
  auth: z
    .object({
      type: z.enum(['none', 'basic']),
      username: z.string().min(1).optional(),
      password: secret(z.string().min(1)).optional(),
    })
    .superRefine((a, ctx) => {
      if (a.type === 'basic') {
        for (const f of ['username', 'password'] as const) {
          if (!a[f]) ctx.addIssue({ code: 'custom', path: [f], message: 'required for basic auth' });
        }
      }
    })
    .default({ type: 'none' }),
  pageSize: z.int().positive().max(5_000).optional(),
  timeoutMs: z.int().positive().default(30_000),
  retry: z
    .object({
      maxAttempts: z.int().min(1).max(20).default(4),
      /** Tries in all for an answer that comes back unreadable, short or empty (the SDK's page policy). */
      pageAttempts: z.int().min(1).max(20).default(DEFAULT_PAGE_ATTEMPTS),
      backoffMs: z.int().nonnegative().default(200),
      maxRetryAfterMs: z.int().nonnegative().default(60_000),
    })
    .default({
      maxAttempts: 4,
      pageAttempts: DEFAULT_PAGE_ATTEMPTS,
      backoffMs: 200,
      maxRetryAfterMs: 60_000,
    }),
});
export type SoapConfig = z.output<typeof SoapConfigSchema>;
