/**
 * Staff lists: the `CSDL_GiaoVien` export (72 columns, of which the hub reads a dozen) and lists like
 * it, mapped to `teacher` records. "Môn dạy" may name several subjects ("Toán, Tin học").
 */
import { z } from 'zod';
import type { Teacher } from '../../../src/model/index.ts';
import { idText } from '../cells.ts';
import { genderOf, TEACHER_STATUS_LABELS, teacherStatusOf } from '../codes.ts';
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

export const TEACHER_FIELDS: Record<string, FieldSpec> = {
  teacherCode: {
    aliases: ['Mã cán bộ', 'Mã giáo viên', 'Mã CB', 'Mã GV', 'Mã CBGV', 'Mã CBGVNV', 'Mã nhân sự', 'MaCanBo'],
    en: 'Staff code',
  },
  fullName: {
    aliases: [
      'Họ tên',
      'Họ và tên',
      'Họ và tên cán bộ',
      'Họ tên cán bộ',
      'Họ tên giáo viên',
      'Họ và tên giáo viên',
    ],
    en: 'Full name',
  },
  birthDate: { aliases: BIRTH_DATE_ALIASES, en: 'Birth date' },
  gender: { aliases: GENDER_ALIASES, en: 'Gender' },
  personalId: { aliases: PERSONAL_ID_ALIASES, en: 'Personal ID' },
  ethnicity: { aliases: ETHNICITY_ALIASES, en: 'Ethnicity' },
  email: {
    aliases: ['Email', 'E-mail', 'Thư điện tử', 'Địa chỉ email', 'Địa chỉ thư điện tử'],
    en: 'E-mail',
  },
  phone: {
    aliases: ['Số điện thoại', 'SĐT', 'Điện thoại', 'Điện thoại di động', 'Số di động', 'Di động'],
    en: 'Phone',
  },
  status: {
    aliases: ['Trạng thái CB', 'Trạng thái cán bộ', 'Trạng thái', 'Tình trạng', 'Trạng thái làm việc'],
    en: 'Status',
  },
  position: {
    aliases: ['Vị trí việc làm', 'Vị trí', 'Chức danh nghề nghiệp', 'Hạng chức danh nghề nghiệp'],
    en: 'Position',
  },
  subjects: {
    aliases: ['Môn dạy', 'Môn giảng dạy', 'Dạy môn', 'Môn dạy chính', 'Môn'],
    en: 'Subjects taught',
  },
};

const EMAIL = z.email();

function subjectsOf(view: RowView, env: SheetEnv): string[] {
  const text = view.text('subjects');
  if (text === '') return [];
  const codes: string[] = [];
  for (const part of text.split(/[,;/+\n]+/)) {
    const name = part.trim();
    if (name === '') continue;
    const code = env.subjects.find(name);
    if (!code) {
      throw view.fail(
        'CODE_UNKNOWN',
        'subjects',
        `Môn "${name}" không có trong chương trình 2018 (thêm tên vào profile.subjects nếu trường gọi khác)`,
        `Subject "${name}" is not in the 2018 curriculum (name it in profile.subjects if the school calls it otherwise)`,
        'subjectCodes',
      );
    }
    if (!codes.includes(code)) codes.push(code);
  }
  return codes;
}

function mapTeacher(view: RowView, env: SheetEnv): Mapped {
  const code = idText(view.get('teacherCode'));
  return attempt(code ? `teacher-${code}` : undefined, () => {
    const teacherCode = view.need('teacherCode');
    const fullName = nameOf(view.get('fullName'));
    if (fullName.trim() === '') view.need('fullName');
    const personalId = personalIdOf(view, 'personalId');
    const birthDate = view.date('birthDate', 'birthDate', false);
    const gender = view.blank('gender') ? undefined : genderOf(view.text('gender'));
    if (!view.blank('gender') && gender === undefined) {
      throw view.fail(
        'CODE_UNKNOWN',
        'gender',
        `"${view.label('gender')}" phải là Nam hoặc Nữ`,
        `"${view.label('gender')}" must be Nam (male) or Nữ (female)`,
      );
    }
    const ethnicityCode = ethnicityOf(view);
    const email = view.text('email');
    if (email && !EMAIL.safeParse(email).success) {
      throw view.fail(
        'EMAIL_INVALID',
        'email',
        `"${view.label('email')}" không phải địa chỉ thư điện tử`,
        `"${view.label('email')}" is not an e-mail address`,
      );
    }
    const phone = phoneOf(view, 'phone', 'phone');
    const position = view.text('position');
    const subjectCodes = subjectsOf(view, env);
    let status: Teacher['status'] = 'working';
    if (!view.blank('status')) {
      const s = teacherStatusOf(view.text('status'));
      if (!s) {
        throw view.fail(
          'CODE_UNKNOWN',
          'status',
          `"${view.label('status')}" không rõ (${TEACHER_STATUS_LABELS.join(', ')})`,
          `"${view.label('status')}" is not a known staff status (${TEACHER_STATUS_LABELS.join(', ')})`,
        );
      }
      status = s;
    }
    const teacher: Teacher = {
      type: 'teacher',
      key: `${env.system}:teacher-${teacherCode}`,
      source: env.source(view.place),
      schoolCode: env.config.schoolCode,
      teacherCode,
      ...(personalId !== undefined ? { personalId } : {}),
      fullName,
      ...(birthDate !== undefined ? { birthDate } : {}),
      ...(gender !== undefined ? { gender } : {}),
      ...(ethnicityCode !== undefined ? { ethnicityCode } : {}),
      ...(email ? { email } : {}),
      ...(phone !== undefined ? { phone } : {}),
      ...(position ? { position } : {}),
      subjectCodes,
      status,
    };
    return { id: `teacher-${teacherCode}`, record: teacher };
  });
}

export const teachersLayout: TabularLayout = {
  kind: 'teachers',
  header: { fields: TEACHER_FIELDS, required: [['teacherCode'], ['fullName']] },
  start: (env) => ({ row: (view) => mapTeacher(view, env) }),
};
