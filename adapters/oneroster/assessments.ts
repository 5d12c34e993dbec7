/**
 * Stream `assessments`: Gradebook results → canonical `assessment` records, one per student,
 * subject class and semester (a grade book row under Circular 22): the regular assessments
 * (ĐĐGtx), the midterm (ĐĐGgk), the final (ĐĐGck) and the source's own semester average (ĐTBmhk)
 * or result (Đ/CĐ).
 *
 * Which of these a line item is comes from its category's title, else from its title's prefix:
 *
 * | kind    | category title (folded) contains               | title starts with         |
 * |---------|------------------------------------------------|---------------------------|
 * | regular | "thuong xuyen", "ĐĐGtx", "regular"             | `TX1`, `TX2` … (`ĐĐGtx1`) |
 * | midterm | "giua ky", "giua hoc ky", "ĐĐGgk", "midterm"   | `GK` (`ĐĐGgk`)            |
 * | final   | "cuoi ky", "cuoi hoc ky", "ĐĐGck", "final"     | `CK` (`ĐĐGck`)            |
 * | average | "trung binh", "ĐTBmhk", "ket qua", "average"   | `TB` (`ĐTBmhk`, `TBM`)    |
 *
 * Regular assessments are ordered by the number after `TX`, then by `assignDate`. The semester is
 * the line item's `academicSession` (1.1: `gradingPeriod`), ranked by start date within its school
 * year. Scored subjects carry `score`; commented subjects carry `textScore` Đ or CĐ.
 */
import { type Assessment, type Comment, subjectFor } from '../../src/model/index.ts';
import {
  codeList,
  fold,
  mapEach,
  type ReadContext,
  type ReadItem,
  RecordError,
} from '../../src/sdk/index.ts';
import { ClassIndex, type ClassInfo } from './classes.ts';
import { changedSince, type OneRosterClient } from './client.ts';
import type { OneRosterConfig } from './config.ts';
import { gradeOf, keyOf, locationOf, sourceOf } from './map.ts';
import { Roster } from './roster.ts';
import {
  isActive,
  type OrCategory,
  type OrClass,
  type OrLineItem,
  type OrResult,
  type OrUser,
} from './types.ts';

export type LineItemKind = 'regular' | 'midterm' | 'final' | 'average';

const CATEGORY_WORDS: ReadonlyArray<readonly [LineItemKind, RegExp]> = [
  ['regular', /\b(thuong xuyen|ddgtx|regular)\b/],
  ['midterm', /\b(giua ky|giua hoc ky|ddggk|midterm)\b/],
  ['final', /\b(cuoi ky|cuoi hoc ky|ddgck|final)\b/],
  ['average', /\b(trung binh|dtbmhk|ket qua|average)\b/],
];

/** The kind a category title names, if any. */
export function kindOfCategory(title: string | undefined): LineItemKind | undefined {
  const folded = fold(title ?? '');
  return CATEGORY_WORDS.find(([, words]) => words.test(folded))?.[0];
}

/** The kind (and regular number) a line item's title prefix names, if any. */
export function kindOfTitle(title: string | undefined): { kind: LineItemKind; index?: number } | undefined {
  const folded = fold(title ?? '');
  const regular = /^(?:ddg)?tx\s?(\d+)?\b/.exec(folded);
  if (regular) return { kind: 'regular', ...(regular[1] ? { index: Number(regular[1]) } : {}) };
  if (/^(?:ddg)?gk\b/.test(folded)) return { kind: 'midterm' };
  if (/^(?:ddg)?ck\b/.test(folded)) return { kind: 'final' };
  if (/^(?:dtbmhk|tbm|tb)\b/.test(folded)) return { kind: 'average' };
  return undefined;
}

const comment = codeList<Comment>(
  { Đ: ['Đ', 'D', 'Đạt', 'Pass'], CĐ: ['CĐ', 'CD', 'Chưa đạt', 'Fail'] },
  'textScore',
);

interface ItemInfo {
  sourcedId: string;
  kind: LineItemKind;
  index: number | undefined;
  assignDate: string;
  termId: string | undefined;
}

interface Group {
  cls: ClassInfo;
  studentId: string;
  studentCode: string | undefined;
  termId: string;
  results: Array<{ result: OrResult; item: ItemInfo }>;
}

const FIELD: Record<LineItemKind, string> = {
  regular: 'regular',
  midterm: 'midterm',
  final: 'final',
  average: 'average',
};

function value(
  r: { result: OrResult; item: ItemInfo },
  evaluation: 'scored' | 'commented',
): number | Comment {
  const location = locationOf('results', r.result.sourcedId);
  const field = evaluation === 'commented' && r.item.kind === 'average' ? 'result' : FIELD[r.item.kind];
  const { score, textScore } = r.result;
  const unreadable = () =>
    new RecordError(
      'SCORE_UNREADABLE',
      evaluation === 'scored'
        ? `${field}: điểm không phải số / the score is not a number`
        : `${field}: nhận xét không phải Đ hoặc CĐ / the assessment is neither Đ nor CĐ`,
      { field, location },
    );
  if (evaluation === 'scored') {
    const n =
      typeof score === 'number'
        ? score
        : typeof score === 'string' && score.trim() !== ''
          ? Number(score)
          : typeof textScore === 'string' && /^\s*\d+([.,]\d+)?\s*$/.test(textScore)
            ? Number(textScore.replace(',', '.'))
            : Number.NaN;
    if (!Number.isFinite(n)) throw unreadable();
    return n;
  }
  try {
    return comment(textScore ?? undefined, location);
  } catch {
    throw unreadable();
  }
}

function toAssessment(
  g: Group,
  index: ClassIndex,
  roster: Roster,
  config: OneRosterConfig,
  now: Date,
): Assessment {
  const location = `classes/${g.cls.sourcedId}/students/${g.studentId}/results`;
  const schoolCode = roster.schoolCode(g.cls.schoolId, location);
  const className = index.className(g.cls, locationOf('classes', g.cls.sourcedId));
  const subjectCode = g.cls.subjectCode!;
  const grade =
    gradeOf(g.cls.grades) ?? index.grade(g.cls, className, locationOf('classes', g.cls.sourcedId));
  const scoredOnes = g.results.filter((r) => r.result.score !== undefined && r.result.score !== null);
  const evaluation =
    subjectFor(subjectCode, grade)?.evaluation ?? (scoredOnes.length > 0 ? 'scored' : 'commented');
  if (!g.studentCode) {
    throw new RecordError(
      'FIELD_MISSING',
      'studentCode: học sinh không có identifier (mã học sinh) / the student has no identifier (student code)',
      { field: 'studentCode', location },
    );
  }
  const regular: Array<{ v: number | Comment; item: ItemInfo; id: string }> = [];
  const single: Partial<Record<Exclude<LineItemKind, 'regular'>, number | Comment>> = {};
  for (const r of g.results) {
    const v = value(r, evaluation);
    if (r.item.kind === 'regular') {
      regular.push({ v, item: r.item, id: r.result.sourcedId ?? '' });
    } else if (single[r.item.kind] !== undefined) {
      throw new RecordError(
        'RESULT_DUPLICATE',
        `${FIELD[r.item.kind]}: học sinh có hai kết quả cùng loại trong học kỳ / two results of the same kind in one semester`,
        { field: FIELD[r.item.kind], location: locationOf('results', r.result.sourcedId) },
      );
    } else {
      single[r.item.kind] = v;
    }
  }
  regular.sort(
    (a, b) =>
      (a.item.index ?? Number.MAX_SAFE_INTEGER) - (b.item.index ?? Number.MAX_SAFE_INTEGER) ||
      a.item.assignDate.localeCompare(b.item.assignDate) ||
      a.id.localeCompare(b.id),
  );
  const base = {
    type: 'assessment' as const,
    key: keyOf(config, 'assessment', `${g.cls.sourcedId}.${g.studentId}.${g.termId}`),
    source: sourceOf(schoolCode, now, location),
    schoolCode,
    schoolYear: roster.yearOf(g.termId, location).schoolYear,
    semester: roster.semesterOf(g.termId, location),
    studentCode: g.studentCode,
    className,
    subjectCode,
  };
  if (evaluation === 'scored') {
    return {
      ...base,
      evaluation,
      regular: regular.map((r) => r.v as number),
      ...(single.midterm !== undefined ? { midterm: single.midterm as number } : {}),
      ...(single.final !== undefined ? { final: single.final as number } : {}),
      ...(single.average !== undefined ? { average: single.average as number } : {}),
    };
  }
  return {
    ...base,
    evaluation,
    regular: regular.map((r) => r.v as Comment),
    ...(single.midterm !== undefined ? { midterm: single.midterm as Comment } : {}),
    ...(single.final !== undefined ? { final: single.final as Comment } : {}),
    ...(single.average !== undefined ? { result: single.average as Comment } : {}),
  };
}

/** What the adapter reads of a result (OneRoster field selection; the biggest collection by far). */
const RESULT_FIELDS = [
  'sourcedId',
  'status',
  'lineItem',
  'student',
  'class',
  'scoreStatus',
  'score',
  'textScore',
];

/** Results that carry no assessment: excused or never handed in. */
const NO_SCORE: ReadonlySet<string> = new Set(['exempt', 'not submitted']);

export async function* readAssessments(
  ctx: ReadContext<OneRosterConfig>,
  client: OneRosterClient,
): AsyncGenerator<ReadItem> {
  const { config } = ctx;
  const roster = await Roster.load(client, config);
  const index = await ClassIndex.load(client, config);
  const now = ctx.now();
  const categories = new Map<string, LineItemKind | undefined>();
  for await (const c of client.list<OrCategory>('gradebook', 'categories', 'categories')) {
    if (c.sourcedId) categories.set(c.sourcedId, kindOfCategory(c.title));
  }
  const since = typeof ctx.checkpoint === 'string' ? ctx.checkpoint : undefined;
  const gone: string[] = [];
  const reported = new Set<string>(); // line items already rejected in this read

  /** Which classes to read, and for an incremental read which of their results (`student|lineItem`). */
  const affected = new Map<string, Set<string> | 'all'>();
  if (since === undefined) {
    for (const c of index.classes.values())
      if (c.active && c.subjectCode && !c.homeroom) affected.set(c.sourcedId, 'all');
  } else {
    const filter = changedSince(since);
    const classOfItem = new Map<string, string | undefined>();
    for await (const r of client.list<OrResult>('gradebook', 'results', 'results', {
      filter,
      fields: RESULT_FIELDS,
    })) {
      let classId = r.class?.sourcedId;
      const itemId = r.lineItem?.sourcedId;
      if (!classId && itemId) {
        if (!classOfItem.has(itemId)) {
          const item = await client.get<OrLineItem>(
            'gradebook',
            `lineItems/${encodeURIComponent(itemId)}`,
            'lineItem',
          );
          classOfItem.set(itemId, item?.class?.sourcedId);
        }
        classId = classOfItem.get(itemId);
      }
      const student = r.student?.sourcedId;
      if (!classId || !student) continue;
      const held = affected.get(classId);
      if (held === 'all') continue;
      const pair = `${student}|${itemId ?? ''}`;
      if (held) held.add(pair);
      else affected.set(classId, new Set([pair]));
    }
    for await (const l of client.list<OrLineItem>('gradebook', 'lineItems', 'lineItems', { filter })) {
      if (l.class?.sourcedId) affected.set(l.class.sourcedId, 'all');
    }
    // A class renamed renames its assessments.
    for await (const c of client.list<OrClass>('rostering', 'classes', 'classes', { filter })) {
      if (c.sourcedId) affected.set(c.sourcedId, 'all');
    }
  }

  async function* groups(): AsyncGenerator<Group | ReadItem> {
    for (const [classId, only] of affected) {
      const cls = index.classes.get(classId);
      if (!cls?.subjectCode || cls.homeroom) continue;
      const id = encodeURIComponent(classId);
      const codes = new Map<string, string | undefined>();
      for await (const u of client.list<OrUser>('rostering', `classes/${id}/students`, 'users', {
        fields: ['sourcedId', 'identifier'],
      })) {
        if (u.sourcedId) codes.set(u.sourcedId, u.identifier?.trim() || undefined);
      }
      const items = new Map<string, ItemInfo | null>();
      const termOfItem = new Map<string, string>();
      for await (const l of client.list<OrLineItem>('gradebook', `classes/${id}/lineItems`, 'lineItems')) {
        if (!l.sourcedId) continue;
        termOfItem.set(l.sourcedId, (l.academicSession ?? l.gradingPeriod)?.sourcedId ?? cls.terms[0] ?? '');
        if (!isActive(l)) {
          items.set(l.sourcedId, null);
          continue;
        }
        const byTitle = kindOfTitle(l.title);
        const kind =
          (l.category?.sourcedId ? categories.get(l.category.sourcedId) : undefined) ?? byTitle?.kind;
        if (!kind) {
          items.set(l.sourcedId, null);
          if (!reported.has(l.sourcedId)) {
            reported.add(l.sourcedId);
            yield ctx.rejected(
              new RecordError(
                'LINE_ITEM_KIND_UNKNOWN',
                'category: cột điểm không phải TX, GK, CK hay TB (xem README) / the line item is not TX, GK, CK or TB (see README)',
                { field: 'category', location: locationOf('lineItems', l.sourcedId) },
              ),
            );
          }
          continue;
        }
        items.set(l.sourcedId, {
          sourcedId: l.sourcedId,
          kind,
          index: byTitle?.kind === kind ? byTitle.index : undefined,
          assignDate: l.assignDate ?? '',
          termId: (l.academicSession ?? l.gradingPeriod)?.sourcedId,
        });
      }
      // The groups (student and semester) an incremental read must give again.
      const wanted =
        only === 'all'
          ? undefined
          : new Set(
              [...only].map((pair) => {
                const [student, item] = pair.split('|') as [string, string];
                return `${student}|${termOfItem.get(item) ?? ''}`;
              }),
            );
      const byGroup = new Map<string, Group>();
      const touched = new Map<string, { studentId: string; termId: string }>();
      for await (const r of client.list<OrResult>('gradebook', `classes/${id}/results`, 'results', {
        fields: RESULT_FIELDS,
      })) {
        const studentId = r.student?.sourcedId;
        const item = r.lineItem?.sourcedId ? items.get(r.lineItem.sourcedId) : undefined;
        if (!studentId || !item) continue;
        const termId = item.termId ?? cls.terms[0] ?? '';
        const k = `${studentId}|${termId}`;
        if (wanted && !wanted.has(k)) continue;
        touched.set(k, { studentId, termId });
        if (!isActive(r) || NO_SCORE.has(r.scoreStatus ?? '')) continue;
        let g = byGroup.get(k);
        if (!g) {
          g = { cls, studentId, studentCode: undefined, termId, results: [] };
          byGroup.set(k, g);
        }
        g.results.push({ result: r, item });
      }
      for (const [k, { studentId, termId }] of touched) {
        const g = byGroup.get(k);
        if (!g) {
          // Every result of the group is gone: so is the assessment.
          gone.push(keyOf(config, 'assessment', `${classId}.${studentId}.${termId}`));
          continue;
        }
        if (!codes.has(studentId)) {
          const user = await client.get<OrUser>(
            'rostering',
            `users/${encodeURIComponent(studentId)}`,
            'user',
          );
          codes.set(studentId, user?.identifier?.trim() || undefined);
        }
        g.studentCode = codes.get(studentId);
        yield g;
      }
    }
  }

  yield* mapEach(
    groups(),
    (g) => ('kind' in g || 'type' in g ? g : toAssessment(g, index, roster, config, now)),
    ctx,
  );
  if (gone.length > 0) yield ctx.deleted(gone);
  yield ctx.checkpointAt(client.checkpoint());
}
