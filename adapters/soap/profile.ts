/**
 * The SOAP profile: like the REST profile (see ../rest/README.md), with operations and their
 * arguments instead of paths and query parameters. Per stream: the operation, the argument that
 * names the school (called once per school), paging arguments, where the records are in the
 * result (or in an XML document the result carries as text), and the field mapping.
 */
import { z } from 'zod';
import { RECORD_TYPES } from '../../src/model/index.ts';
import { PermanentError, STREAM_NAMES, type StreamName } from '../../src/sdk/index.ts';
import {
  CodeListsSchema,
  checkCodeLists,
  FieldSpecSchema,
  profileLoader,
  SystemNameSchema,
} from '../rest/profile.ts';

const pointer = () =>
  z.string().regex(/^(\/.*)?$/, 'a JSON pointer such as "/hocSinh" or "/DanhSachGiaoVien/GiaoVien"');
const argName = () => z.string().min(1);
const keyTemplate = () =>
  z.string().regex(/\{\/[^}]*\}/, 'a key template with at least one {/pointer}, e.g. "student-{/maHocSinh}"');

export const SoapPaginationSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('page'),
    pageArg: argName(),
    sizeArg: argName(),
    pageSize: z.int().positive().default(100),
    firstPage: z.int().nonnegative().default(1),
  }),
  z.object({ type: z.literal('none') }),
]);
export type SoapPagination = z.infer<typeof SoapPaginationSchema>;

export const RawXmlSchema = z.object({
  /** Where the XML text is in the operation's result. */
  pointer: pointer(),
  /** Elements that are lists even when one is present (`GiaoVien`, `monDay`). */
  arrays: z.array(z.string()).default([]),
});

export const SoapStreamSchema = z.object({
  operation: z.string().min(1),
  /** Fixed arguments. */
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** The argument naming the school: the operation is called once per school. */
  schoolArg: argName().optional(),
  pagination: SoapPaginationSchema,
  /** The result carries its records as an XML document in a string: parse it (entities off). */
  rawXml: RawXmlSchema.optional(),
  /** Where the list of records is (in the result, or in the parsed raw XML). */
  items: pointer(),
  total: pointer().optional(),
  record: z.enum(RECORD_TYPES as [string, ...string[]]),
  key: keyTemplate(),
  updatedSince: z
    .object({
      arg: argName(),
      format: z.enum(['iso', 'epoch-ms', 'epoch-s']).default('iso'),
      inclusive: z.boolean().default(true),
    })
    .optional(),
  updatedAt: pointer().optional(),
  deleted: z
    .object({ pointer: pointer(), equals: z.union([z.boolean(), z.string(), z.number()]).default(true) })
    .optional(),
  fields: z.record(z.string(), FieldSpecSchema),
});
export type SoapStream = z.infer<typeof SoapStreamSchema>;

export const SoapProfileSchema = z.object({
  name: z.string().min(1),
  /** In keys: `soap-<system>:student-123`. */
  system: SystemNameSchema,
  codeLists: CodeListsSchema,
  /** The operation listing schools: for discover(), and for streams read school by school. */
  schools: z
    .object({
      operation: z.string().min(1),
      args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      items: pointer(),
      code: pointer(),
      name: pointer().optional(),
    })
    .optional(),
  streams: z
    .record(z.string(), SoapStreamSchema)
    .refine((s) => Object.keys(s).every((k) => (STREAM_NAMES as string[]).includes(k)), {
      message: `stream names are ${STREAM_NAMES.join(', ')}`,
    })
    .refine((s) => Object.keys(s).length > 0, { message: 'a profile declares at least one stream' }),
});
export type SoapProfile = z.infer<typeof SoapProfileSchema>;

export function parseSoapProfile(input: unknown, where = '(inline)'): SoapProfile {
  const result = SoapProfileSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`)
      .join('; ');
    throw new PermanentError(
      'PROFILE_INVALID',
      `Hồ sơ ${where} không hợp lệ / Invalid profile ${where}: ${issues}`,
    );
  }
  for (const [name, stream] of Object.entries(result.data.streams))
    checkCodeLists(result.data, name, stream.fields);
  return result.data;
}

export const loadSoapProfile = profileLoader(new URL('./profiles/', import.meta.url), parseSoapProfile);

export function soapStream(profile: SoapProfile, stream: string): SoapStream {
  const s = profile.streams[stream as StreamName];
  if (!s) {
    throw new PermanentError(
      'STREAM_NOT_IN_PROFILE',
      `Hồ sơ "${profile.name}" không khai báo luồng ${stream} / Profile "${profile.name}" declares no stream ${stream}`,
    );
  }
  return s;
}
