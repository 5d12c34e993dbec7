/**
 * The data-quality report: counts by record type and by rule, and each problem with the place a
 * person goes to fix it (file, line, field) and the rule's stable code. Counts are always complete;
 * the list of problems is capped so a file of a million bad rows cannot exhaust memory.
 */
import type { Problem, Severity } from '../model/index.ts';

export interface ReportedProblem {
  file: string;
  line: number;
  type: string | null;
  key: string | null;
  field: string;
  code: string;
  severity: Severity;
  message: { vi: string; en: string };
}

export interface TypeCounts {
  records: number;
  valid: number;
  invalid: number;
  withWarnings: number;
}

export interface DataQualityReport {
  asOf: string;
  files: Array<{ file: string; lines: number }>;
  totals: TypeCounts & { errors: number; warnings: number };
  byType: Record<string, TypeCounts>;
  byRule: Record<string, { severity: Severity; count: number }>;
  problems: ReportedProblem[];
  /** Problems counted but not listed because the list reached its cap. */
  problemsNotListed: number;
}

/** How many records of a type had at least one problem of a rule (the scorecard's numerator). */
export interface RuleRecords {
  recordType: string;
  rule: string;
  severity: Severity;
  records: number;
}

export class ReportBuilder {
  private readonly report: DataQualityReport;
  /** `type\0rule` → records with that rule's problem; kept beside the report, whose shape is public. */
  private readonly recordsByRule = new Map<string, RuleRecords>();

  constructor(
    asOf: Date,
    private readonly maxProblems = 1000,
  ) {
    this.report = {
      asOf: asOf.toISOString().slice(0, 10),
      files: [],
      totals: { records: 0, valid: 0, invalid: 0, withWarnings: 0, errors: 0, warnings: 0 },
      byType: {},
      byRule: {},
      problems: [],
      problemsNotListed: 0,
    };
  }

  file(file: string, lines: number): void {
    this.report.files.push({ file, lines });
  }

  /** Adds one record's outcome. */
  record(
    place: { file: string; line: number },
    type: string | null,
    key: string | null,
    problems: readonly Problem[],
  ): void {
    const typeName = type ?? 'unknown';
    const counts = this.report.byType[typeName] ?? { records: 0, valid: 0, invalid: 0, withWarnings: 0 };
    this.report.byType[typeName] = counts;
    const invalid = problems.some((p) => p.severity === 'error');
    const warned = problems.some((p) => p.severity === 'warning');
    for (const c of [counts, this.report.totals]) {
      c.records++;
      if (invalid) c.invalid++;
      else c.valid++;
      if (warned) c.withWarnings++;
    }
    for (const p of problems) this.count({ ...place, type, key }, p);
    const seen = new Set<string>();
    for (const p of problems) {
      if (seen.has(p.code)) continue;
      seen.add(p.code);
      this.noteRecord(typeName, p);
    }
  }

  private noteRecord(type: string, p: Problem): void {
    const id = `${type}\u0000${p.code}`;
    const entry = this.recordsByRule.get(id) ?? {
      recordType: type,
      rule: p.code,
      severity: p.severity,
      records: 0,
    };
    entry.records++;
    this.recordsByRule.set(id, entry);
  }

  /** Per record type and rule, the records with at least one of its problems. */
  ruleRecords(): RuleRecords[] {
    return [...this.recordsByRule.values()].sort(
      (a, b) => a.recordType.localeCompare(b.recordType) || a.rule.localeCompare(b.rule),
    );
  }

  private count(
    where: { file: string; line: number; type: string | null; key: string | null },
    p: Problem,
  ): void {
    if (p.severity === 'error') this.report.totals.errors++;
    else this.report.totals.warnings++;
    const rule = this.report.byRule[p.code] ?? { severity: p.severity, count: 0 };
    this.report.byRule[p.code] = rule;
    rule.count++;
    if (this.report.problems.length < this.maxProblems) {
      this.report.problems.push({
        ...where,
        field: p.field,
        code: p.code,
        severity: p.severity,
        message: p.message,
      });
    } else {
      this.report.problemsNotListed++;
    }
  }

  /**
   * Adds a problem found after the record was counted (a dataset rule that needs the whole data
   * set). `wasInvalid` says how the record was counted, so a valid record becomes an invalid one.
   */
  late(
    place: { file: string; line: number },
    type: string,
    key: string | null,
    problem: Problem,
    wasInvalid: boolean,
  ): void {
    if (problem.severity === 'error' && !wasInvalid) {
      for (const c of [this.report.byType[type], this.report.totals]) {
        if (!c) continue;
        c.valid--;
        c.invalid++;
      }
    }
    this.count({ ...place, type, key }, problem);
    // A dataset rule's problem comes once per record, after the record's own rules.
    this.noteRecord(type, problem);
  }

  build(): DataQualityReport {
    const byRule = Object.fromEntries(
      Object.entries(this.report.byRule).sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b)),
    );
    // Late problems were appended at the end; people read the list in file order.
    const problems = [...this.report.problems].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line,
    );
    return { ...this.report, byRule, problems };
  }
}

export const hasErrorProblems = (report: DataQualityReport): boolean => report.totals.errors > 0;
