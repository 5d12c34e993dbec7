/**
 * The excel adapter's configuration: which files to read, what each holds, for which school, and a
 * per-school profile for the headers and dates the built-in aliases do not know.
 */
import { z } from 'zod';
import type { StreamName } from '../../src/sdk/index.ts';

/** What a file holds, and the stream its records go to. */
export const KIND_STREAMS = {
  students: 'students',
  teachers: 'teachers',
  grades: 'assessments',
  /** Learning results (KetQuaHocTap): `learningResult` records, beside the assessments. */
  results: 'assessments',
  timetable: 'timetable',
  fees: 'fees',
} as const satisfies Record<string, StreamName>;

export type FileKind = keyof typeof KIND_STREAMS;
export const FILE_KINDS = Object.keys(KIND_STREAMS) as [FileKind, ...FileKind[]];
export type ExcelStream = (typeof KIND_STREAMS)[FileKind];

/** Date formats a profile may name (the SDK's `DateFormat`s a spreadsheet holds). */
const DATE_FORMATS = ['dd/MM/yyyy', 'MM/dd/yyyy', 'yyyy-MM-dd', 'yyyyMMdd'] as const;

const FileSchema = z.object({
  /** Path of the `.xlsx` or `.csv` file. */
  path: z.string().trim().min(1),
  kind: z.enum(FILE_KINDS),
  /** Read only this sheet (default: every visible sheet whose header is recognised). */
  sheet: z.string().trim().min(1).optional(),
});
export type FileSpec = z.infer<typeof FileSchema>;

const ProfileSchema = z
  .object({
    /** Extra header texts per canonical field, e.g. `{ "studentCode": ["Mã HS Bộ"] }`. */
    columns: z.record(z.string(), z.array(z.string().min(1))).optional(),
    /** Extra names per subject code, e.g. `{ "NN1": ["Anh văn"] }`. */
    subjects: z.record(z.string(), z.array(z.string().min(1))).optional(),
    /** The header's row number (1-based) when it cannot be found by its text. */
    headerRow: z.int().positive().optional(),
    /** How text dates are written; Excel serial numbers are always understood. */
    dateFormat: z.enum(DATE_FORMATS).optional(),
  })
  .strict();
export type Profile = z.infer<typeof ProfileSchema>;

const schoolYear = z
  .string()
  .regex(/^\d{4}-\d{4}$/, 'school year as YYYY-YYYY (e.g. 2025-2026)')
  .refine((y) => Number(y.slice(5)) === Number(y.slice(0, 4)) + 1, 'the second year follows the first');

const RawConfigSchema = z
  .object({
    files: z.array(FileSchema).min(1).optional(),
    path: z.string().trim().min(1).optional(),
    kind: z.enum(FILE_KINDS).optional(),
    sheet: z.string().trim().min(1).optional(),
    /** The school's code (mã trường) stamped on every record. */
    schoolCode: z.string().trim().min(1),
    /** Used when no title row says "Năm học 2025-2026". */
    schoolYear: schoolYear.optional(),
    /**
     * Grade books and learning results: used when no title row or sheet name says "Học kỳ I/II"
     * (or, for learning results, "Cả năm").
     */
    semester: z.union([z.literal(1), z.literal(2)]).optional(),
    /** Timetables: used when no title row says "Áp dụng từ ngày …" (default 5 September). */
    validFrom: z.iso.date().optional(),
    profile: ProfileSchema.optional(),
    incremental: z
      .object({
        /**
         * Rows per file whose keys and fingerprints the checkpoint keeps, for row-level changes and
         * deletions. A larger file is re-read whole when it changes, without deletions.
         */
        maxTrackedRows: z.int().nonnegative().default(20_000),
      })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const single = c.path !== undefined || c.kind !== undefined;
    if (c.files && single) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either files[] or path + kind, not both',
        path: ['files'],
      });
    } else if (!c.files && (c.path === undefined || c.kind === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `give files: [{ path, kind }] or path and kind (${FILE_KINDS.join(', ')})`,
        path: c.path === undefined ? ['path'] : ['kind'],
      });
    }
  });

/**
 * The config as the adapter uses it: always a list of files.
 *
 * @example
 * { path: 'C1-HocSinh.xlsx', kind: 'students', schoolCode: '79NB0001' }
 * // → { files: [{ path: 'C1-HocSinh.xlsx', kind: 'students' }], schoolCode: '79NB0001', maxTrackedRows: 20000, … }
 */
export const configSchema = RawConfigSchema.transform((c) => ({
  files: c.files ?? [{ path: c.path!, kind: c.kind!, ...(c.sheet ? { sheet: c.sheet } : {}) }],
  schoolCode: c.schoolCode,
  schoolYear: c.schoolYear,
  semester: c.semester,
  validFrom: c.validFrom,
  profile: c.profile ?? {},
  maxTrackedRows: c.incremental?.maxTrackedRows ?? 20_000,
}));

export type ExcelConfig = z.output<typeof configSchema>;

/** `excel-79nb0001`: the key's system part, lower case as RecordKeySchema wants. */
export function keySystem(schoolCode: string): string {
  return `excel-${schoolCode.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}`;
}
