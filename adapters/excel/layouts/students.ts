/**
 * Student lists: the MOET `C1-HocSinh` template and the lists school software exports like it. One
 * row per student, parents inline (father, mother, or a guardian), mapped to `student` records with
 * `guardians[]`. Disability, occupations, addresses and birthplaces are not read: the hub has no use
 * for them (data minimisation, Decree 356/2025).
 */
import type { Guardian, Student } from '../../../src/model/index.ts';
import { idText } from '../cells.ts';
import { genderOf, STUDENT_STATUS_LABELS, studentStatusOf } from '../codes.ts';
import type { FieldSpec } from '../header.ts';
import type { Mapped, RowView, SheetEnv } from '../rows.ts';
import { attempt, type TabularLayout } from './layout.ts';
import {
  BIRTH_DATE_ALIASES,
  ETHNICITY_ALIASES,
  ethnicityOf,
  GENDER_ALIASES,
  nameOf,
  PERSONAL_ID_ALIASES,
  personalIdOf,
  phoneOf,
} from './people.ts';

const RELATIONS = [
  { rel: 'father', vi: 'cha', alt: ['bố'], en: "Father's" },
  { rel: 'mother', vi: 'mẹ', alt: [] as string[], en: "Mother's" },
  { rel: 'guardian', vi: 'người giám hộ', alt: ['NGH'], en: "Guardian's" },
] as const;

function guardianFields(): Record<string, FieldSpec> {
  const fields: Record<string, FieldSpec> = {};
  for (const { rel, vi, alt, en } of RELATIONS) {
    const who = [vi, ...alt];
    fields[`${rel}.fullName`] = {
      aliases: who
        .flatMap((w) => [`Họ tên ${w}`, `Họ và tên ${w}`, `Tên ${w}`, `Họ tên của ${w}`])
        .concat(rel === 'guardian' ? ['Người giám hộ'] : [vi.charAt(0).toUpperCase() + vi.slice(1)]),
      en: `${en} full name`,
    };
    fields[`${rel}.personalId`] = {
      aliases: who.flatMap((w) => [
        `Số định danh ${w}`,
        `Số định danh cá nhân ${w}`,
        `Số định danh của ${w}`,
        `Mã định danh ${w}`,
        `CCCD ${w}`,
        `Số CCCD ${w}`,
        `Số CCCD của ${w}`,
      ]),
      en: `${en} personal ID`,
    };
    fields[`${rel}.birthDate`] = {
      aliases: who.flatMap((w) => [`Ngày sinh ${w}`, `Ngày sinh của ${w}`]),
      en: `${en} birth date`,
    };
    fields[`${rel}.phone`] = {
      aliases: who.flatMap((w) => [
        `SĐT ${w}`,
        `Số điện thoại ${w}`,
        `Điện thoại ${w}`,
        `Số điện thoại của ${w}`,
        `ĐT ${w}`,
      ]),
      en: `${en} phone`,
    };
  }
  return fields;
}

export const STUDENT_FIELDS: Record<string, FieldSpec> = {
  className: { aliases: ['Mã lớp', 'Lớp', 'Tên lớp', 'Lớp học'], en: 'Class' },
  studentCode: {
    aliases: ['Mã học sinh', 'Mã HS', 'Mã số học sinh', 'Mã số HS', 'MaHocSinh', 'Mã học sinh (Bộ GD&ĐT)'],
    en: 'Student code',
  },
  fullName: {
    aliases: ['Họ tên', 'Họ và tên', 'Họ và tên học sinh', 'Họ tên học sinh', 'HoTen'],
    en: 'Full name',
  },
  birthDate: { aliases: BIRTH_DATE_ALIASES, en: 'Birth date' },
  gender: { aliases: GENDER_ALIASES, en: 'Gender' },
  status: { aliases: ['Trạng thái HS', 'Trạng thái học sinh', 'Trạng thái', 'Tình trạng'], en: 'Status' },
  statusDate: {
    aliases: ['Ngày nhập trạng thái', 'Ngày trạng thái', 'Ngày chuyển trạng thái'],
    en: 'Status date',
  },
  ethnicity: { aliases: ETHNICITY_ALIASES, en: 'Ethnicity' },
  personalId: { aliases: PERSONAL_ID_ALIASES, en: 'Personal ID' },
  ...guardianFields(),
  familyPhone: {
    aliases: [
      'Số điện thoại',
      'SĐT',
      'Điện thoại',
      'Điện thoại liên hệ',
      'SĐT liên hệ',
      'Số điện thoại liên hệ',
      'SĐT phụ huynh',
      'Số điện thoại phụ huynh',
    ],
    en: 'Contact phone',
  },
};

function statusOf(view: RowView): string | undefined {
  if (view.blank('status')) return undefined;
  const code = studentStatusOf(view.text('status'));
  if (code) return code;
  throw view.fail(
    'CODE_UNKNOWN',
    'status',
    `"${view.label('status')}" không có trong danh mục trạng thái (${STUDENT_STATUS_LABELS.join(', ')})`,
    `"${view.label('status')}" is not a known status (${STUDENT_STATUS_LABELS.join(', ')})`,
  );
}

function guardiansOf(view: RowView): Guardian[] {
  const guardians: Guardian[] = [];
  for (const { rel } of RELATIONS) {
    const fields = ['fullName', 'personalId', 'birthDate', 'phone'].map((f) => `${rel}.${f}`);
    if (fields.every((f) => view.blank(f))) continue;
    const path = `guardians.${guardians.length}`;
    const fullName = nameOf(view.get(`${rel}.fullName`));
    if (fullName.trim() === '') {
      const any = fields.find((f) => !view.blank(f))!;
      throw view.fail(
        'FIELD_MISSING',
        any,
        `Có thông tin ${rel === 'father' ? 'cha' : rel === 'mother' ? 'mẹ' : 'người giám hộ'} nhưng thiếu họ tên`,
        `The ${rel}'s details are given without a name`,
        `${path}.fullName`,
      );
    }
    const personalId = personalIdOf(view, `${rel}.personalId`);
    const birthDate = view.date(`${rel}.birthDate`, `${path}.birthDate`, false);
    const phone = phoneOf(view, `${rel}.phone`, `${path}.phone`);
    guardians.push({
      relationship: rel,
      fullName,
      ...(personalId !== undefined ? { personalId } : {}),
      ...(phone !== undefined ? { phone } : {}),
      ...(birthDate !== undefined ? { birthDate } : {}),
    });
  }
  // A contact phone for the family goes to the first guardian who has none of their own.
  const family = guardians.find((g) => g.phone === undefined);
  if (family) {
    const phone = phoneOf(view, 'familyPhone', `guardians.${guardians.indexOf(family)}.phone`);
    if (phone !== undefined) family.phone = phone;
  }
  return guardians;
}

function mapStudent(view: RowView, env: SheetEnv): Mapped {
  const code = idText(view.get('studentCode'));
  const id = code ? `student-${code}` : undefined;
  return attempt(id, () => {
    const studentCode = view.need('studentCode');
    const fullName = nameOf(view.get('fullName'));
    if (fullName.trim() === '') view.need('fullName');
    const birthDate = view.date('birthDate', 'birthDate', true)!;
    if (view.blank('gender')) view.need('gender');
    const gender = genderOf(view.text('gender'));
    if (gender === undefined) {
      throw view.fail(
        'CODE_UNKNOWN',
        'gender',
        `"${view.label('gender')}" phải là Nam hoặc Nữ`,
        `"${view.label('gender')}" must be Nam (male) or Nữ (female)`,
      );
    }
    const personalId = personalIdOf(view, 'personalId');
    const ethnicityCode = ethnicityOf(view);
    const className = view.text('className') || env.titles.className;
    const schoolYear = env.titles.schoolYear ?? env.config.schoolYear;
    const status = statusOf(view);
    const guardians = guardiansOf(view);
    const place = view.place;
    const student: Student = {
      type: 'student',
      key: `${env.system}:student-${studentCode}`,
      source: env.source(place),
      schoolCode: env.config.schoolCode,
      studentCode,
      ...(personalId !== undefined ? { personalId } : {}),
      fullName,
      birthDate,
      gender,
      ...(ethnicityCode !== undefined ? { ethnicityCode } : {}),
      ...(className ? { className } : {}),
      ...(schoolYear ? { schoolYear } : {}),
      ...(status ? { status } : {}),
      guardians,
    };
    return { id: `student-${studentCode}`, record: student };
  });
}

export const studentsLayout: TabularLayout = {
  kind: 'students',
  header: {
    fields: STUDENT_FIELDS,
    required: [['studentCode'], ['fullName'], ['birthDate'], ['gender']],
  },
  start: (env) => ({ row: (view) => mapStudent(view, env) }),
};
