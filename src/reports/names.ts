/**
 * The reports' names and the fixed lists their answers use, apart from the zod schemas: the
 * district console's page imports these (and tables.ts) without bundling zod.
 */
export const REPORT_NAMES = ['district', 'enrolment', 'scores', 'levels', 'quality'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** Circular 22's learning and conduct levels, best first. */
export const LEVELS = ['Tốt', 'Khá', 'Đạt', 'Chưa đạt'] as const;
export const PERIODS = ['semester1', 'semester2', 'year'] as const;
