/**
 * What the education reports keep of a batch of valid canonical records: students, classes,
 * assessments and learning results reduced to the facts the reports count. Pure: the caller gives
 * the keyed hash (`factHash`) that stands for record keys and student codes.
 *
 * The records come from the pull after the rules, which normalise them: an assessment's `average`
 * (scored) or `result` (commented) is the one Circular 22 gives when the marks allow computing it
 * (Art. 9(1)), a learning result's `level` the one Art. 9(2)–(3) gives. The facts take them as
 * they are, so the reports show Circular 22's numbers, not the source's.
 */
import { type CanonicalRecord, gradeOfClassName } from '../model/index.ts';
import type { EducationFacts, FactTable } from '../store/index.ts';

export type { EducationFacts, FactTable };

export type FactHasher = (value: string) => string;

/** The facts of one batch; records of other types are left out. */
export function factsOf(records: readonly CanonicalRecord[], hash: FactHasher): EducationFacts {
  const facts: EducationFacts = { students: [], classes: [], results: [], levels: [] };
  for (const r of records) {
    switch (r.type) {
      case 'student':
        facts.students.push({
          keyHash: hash(r.key),
          schoolYear: r.schoolYear ?? null,
          className: r.className ?? null,
          nameGrade: r.className ? gradeOfClassName(r.className) : null,
          gender: r.gender,
          ethnicityCode: r.ethnicityCode ?? null,
          status: r.status ?? null,
        });
        break;
      case 'class':
        facts.classes.push({
          keyHash: hash(r.key),
          schoolYear: r.schoolYear,
          className: r.className,
          grade: r.grade,
        });
        break;
      case 'assessment':
        facts.results.push({
          keyHash: hash(r.key),
          studentHash: hash(r.studentCode),
          schoolYear: r.schoolYear,
          semester: r.semester,
          className: r.className,
          nameGrade: gradeOfClassName(r.className),
          subjectCode: r.subjectCode,
          evaluation: r.evaluation,
          average: r.evaluation === 'scored' ? (r.average ?? null) : null,
          comment: r.evaluation === 'commented' ? (r.result ?? null) : null,
        });
        break;
      case 'learningResult':
        facts.levels.push({
          keyHash: hash(r.key),
          studentHash: hash(r.studentCode),
          schoolYear: r.schoolYear,
          period: r.period,
          className: r.className,
          nameGrade: gradeOfClassName(r.className),
          level: r.level ?? null,
          conduct: r.conduct ?? null,
        });
        break;
      default:
        break;
    }
  }
  return facts;
}

/** The projection tables a stream fills: a full run's deletions and a source's renames touch these. */
export const FACT_TABLES_OF_STREAM: Readonly<Record<string, readonly FactTable[]>> = {
  students: ['education_students'],
  classes: ['education_classes'],
  assessments: ['education_results', 'education_levels'],
};
