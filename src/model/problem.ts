/**
 * A problem found in a record: what rule, how serious, which field, and a message in Vietnamese and
 * English. Rules never throw for bad data; they return problems, so one pass reports everything.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  /** Stable rule code, e.g. `PERSONAL_ID_CENTURY_GENDER`. Scripts and dashboards key on it. */
  code: string;
  severity: Severity;
  /** Path of the field inside the record, dotted (`guardians.0.personalId`); `''` for the record. */
  field: string;
  message: { vi: string; en: string };
}

/** One line for people: Vietnamese first, English beside. */
export function formatMessage(problem: Pick<Problem, 'message'>): string {
  return `${problem.message.vi} / ${problem.message.en}`;
}

export function problem(code: string, severity: Severity, field: string, vi: string, en: string): Problem {
  return { code, severity, field, message: { vi, en } };
}

export const error = (code: string, field: string, vi: string, en: string): Problem =>
  problem(code, 'error', field, vi, en);

export const warning = (code: string, field: string, vi: string, en: string): Problem =>
  problem(code, 'warning', field, vi, en);

/** Re-roots problems found on a nested value (`personalId`) under its place in the record. */
export function atField(prefix: string, problems: Problem[]): Problem[] {
  if (!prefix) return problems;
  return problems.map((p) => ({ ...p, field: p.field ? `${prefix}.${p.field}` : prefix }));
}

export const hasErrors = (problems: readonly Problem[]): boolean =>
  problems.some((p) => p.severity === 'error');
