/**
 * Known broken records for the conformance kit's reference set: each one must come out of the
 * adapter as exactly one `rejected` signal with the code, location and field listed here, and the
 * stream must go on.
 */
import { ref } from './dataset.ts';
import type { OneRosterData } from './types.ts';

export interface ReferenceDefect {
  /** The adapter stream the defect shows in. */
  stream: 'students' | 'assessments';
  /** The record the adapter names in `location`: `<collection>/<sourcedId>`. */
  location: string;
  code: string;
  field?: string;
  /** Canonical records the defect removes from the stream (a rejected record is not yielded). */
  recordsLost: number;
  what: string;
}

/**
 * Breaks a few records in place and says how each must be reported.
 *
 * - a student without demographics (no birth date, no sex);
 * - a student whose sex is `other` (the canonical model knows male and female);
 * - a student without `identifier` (no student code): the student and each of their assessments;
 * - a student born on 30 February;
 * - a result whose score is neither a number nor Đ/CĐ (its whole assessment is rejected);
 * - a line item of an unknown kind (category "Khác", title "Kiểm tra miệng"): its results are left
 *   out, the assessments they belong to still come through.
 */
export function injectReferenceDefects(data: OneRosterData): ReferenceDefect[] {
  const defects: ReferenceDefect[] = [];
  const students = data.users.filter(
    (u) => u.status === 'active' && u.roles.some((r) => r.role === 'student'),
  );
  if (students.length < 4) throw new Error('the reference defects need at least four students');
  const demographics = new Map(data.demographics.map((d) => [d.sourcedId, d]));
  const [a, b, c, d] = students as [
    (typeof students)[0],
    (typeof students)[0],
    (typeof students)[0],
    (typeof students)[0],
  ];

  data.demographics = data.demographics.filter((x) => x.sourcedId !== a.sourcedId);
  defects.push({
    stream: 'students',
    location: `users/${a.sourcedId}`,
    code: 'DEMOGRAPHICS_MISSING',
    field: 'birthDate',
    recordsLost: 1,
    what: 'a student without demographics',
  });
  demographics.get(b.sourcedId)!.sex = 'other';
  defects.push({
    stream: 'students',
    location: `users/${b.sourcedId}`,
    code: 'CODE_UNKNOWN',
    field: 'gender',
    recordsLost: 1,
    what: 'a student whose sex is "other"',
  });
  delete c.identifier;
  defects.push({
    stream: 'students',
    location: `users/${c.sourcedId}`,
    code: 'FIELD_MISSING',
    field: 'studentCode',
    recordsLost: 1,
    what: 'a student without identifier',
  });
  demographics.get(d.sourcedId)!.birthDate = `${demographics.get(d.sourcedId)!.birthDate!.slice(0, 4)}-02-30`;
  defects.push({
    stream: 'students',
    location: `users/${d.sourcedId}`,
    code: 'DATE_UNPARSEABLE',
    field: 'birthDate',
    recordsLost: 1,
    what: 'a student born on 30 February',
  });

  if (data.results.length > 0) {
    const lineItems = new Map(data.lineItems.map((l) => [l.sourcedId, l]));
    // Without a student code, none of that student's assessments can be mapped either.
    const groups = new Set(
      data.results
        .filter((r) => r.student.sourcedId === c.sourcedId)
        .map((r) => `${r.class.sourcedId}|${lineItems.get(r.lineItem.sourcedId)!.academicSession.sourcedId}`),
    );
    for (const group of groups) {
      const [classId] = group.split('|') as [string];
      defects.push({
        stream: 'assessments',
        location: `classes/${classId}/students/${c.sourcedId}/results`,
        code: 'FIELD_MISSING',
        field: 'studentCode',
        recordsLost: 1,
        what: 'an assessment of the student without identifier',
      });
    }
    const scored = data.results.find(
      (r) => r.score !== undefined && lineItems.get(r.lineItem.sourcedId)?.title.startsWith('TX1 '),
    )!;
    delete scored.score;
    scored.textScore = 'vắng';
    defects.push({
      stream: 'assessments',
      location: `results/${scored.sourcedId}`,
      code: 'SCORE_UNREADABLE',
      field: 'regular',
      recordsLost: 1,
      what: 'a score that is neither a number nor Đ/CĐ',
    });
    // A line item of another class, so the two defects do not meet in one assessment.
    const odd = data.lineItems.find(
      (l) => l.class.sourcedId !== scored.class.sourcedId && l.title.startsWith('TX2 '),
    )!;
    data.categories.push({
      sourcedId: 'cat-khac',
      status: 'active',
      dateLastModified: odd.dateLastModified,
      title: 'Khác',
    });
    odd.category = ref('category', 'cat-khac');
    odd.title = `Kiểm tra miệng - ${odd.title.slice(6)}`;
    defects.push({
      stream: 'assessments',
      location: `lineItems/${odd.sourcedId}`,
      code: 'LINE_ITEM_KIND_UNKNOWN',
      field: 'category',
      recordsLost: 0,
      what: 'a line item that is neither TX, GK, CK nor TB',
    });
  }
  return defects;
}
