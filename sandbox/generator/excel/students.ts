/**
 * The MOET `C1-HocSinh` student list: data in `Sheet1` under the Sở's and the school's title rows,
 * parents inline, with a catalogue sheet after it as the real template has (`DM_DanToc`). Written
 * from the generator's canonical students, with optional cell-level faults of the kinds real exports
 * carry (an impossible date, a gender typed wrongly, a missing code, an ID typed as a number).
 */
import type ExcelJS from 'exceljs';
import { ETHNICITY_CODES, STUDENT_STATUSES } from '../../../src/model/codes.ts';
import type { Guardian, Student } from '../../../src/model/records.ts';
import { Random } from '../random.ts';
import { type CellInput, dateCell, dmy, letter, openWorkbook, writeHeader, writeTitles } from './workbook.ts';

/** Columns of the sheet: header text, and the canonical field it holds (for defect lists). */
export const C1_COLUMNS = [
  { header: 'STT' },
  { header: 'Mã lớp', field: 'className' },
  { header: 'Mã học sinh', field: 'studentCode' },
  { header: 'Họ tên', field: 'fullName' },
  { header: 'Ngày sinh', field: 'birthDate' },
  { header: 'Giới tính', field: 'gender' },
  { header: 'Trạng thái HS', field: 'status' },
  { header: 'Ngày nhập trạng thái' },
  { header: 'Dân tộc', field: 'ethnicityCode' },
  { header: 'Loại khuyết tật' },
  { header: 'Số định danh cá nhân', field: 'personalId' },
  { header: 'Họ tên cha', field: 'guardians[father].fullName' },
  { header: 'Số định danh cha', field: 'guardians[father].personalId' },
  { header: 'Ngày sinh cha', field: 'guardians[father].birthDate' },
  { header: 'SĐT cha', field: 'guardians[father].phone' },
  { header: 'Họ tên mẹ', field: 'guardians[mother].fullName' },
  { header: 'Số định danh mẹ', field: 'guardians[mother].personalId' },
  { header: 'Ngày sinh mẹ', field: 'guardians[mother].birthDate' },
  { header: 'SĐT mẹ', field: 'guardians[mother].phone' },
  { header: 'Họ tên người giám hộ', field: 'guardians[guardian].fullName' },
  { header: 'Số định danh người giám hộ', field: 'guardians[guardian].personalId' },
  { header: 'Ngày sinh người giám hộ', field: 'guardians[guardian].birthDate' },
  { header: 'SĐT người giám hộ', field: 'guardians[guardian].phone' },
] as const;

const columnOfField = new Map<string, number>(
  C1_COLUMNS.flatMap((c, i) => ('field' in c ? [[c.field as string, i + 1] as const] : [])),
);

/** The column letter of a canonical field path of a student (`guardians.1.personalId` needs the record). */
export function c1Column(field: string, student?: Pick<Student, 'guardians'>): string | null {
  const g = /^guardians\.(\d+)(?:\.(.+))?$/.exec(field);
  if (g && student) {
    const rel = student.guardians[Number(g[1])]?.relationship;
    const col = rel ? columnOfField.get(`guardians[${rel}].${g[2] ?? 'fullName'}`) : undefined;
    return col ? letter(col) : null;
  }
  // A student without guardians is fixed by filling in a parent: the father's name is where to start.
  const col = columnOfField.get(field === 'guardians' ? 'guardians[father].fullName' : field);
  return col ? letter(col) : null;
}

/** Faults written into cells; each is caught by the adapter (rejected) or the model (warning). */
export const CELL_FAULTS = {
  birth_date_impossible: { field: 'birthDate', code: 'DATE_UNPARSEABLE', level: 'error' },
  gender_unknown: { field: 'gender', code: 'CODE_UNKNOWN', level: 'error' },
  student_code_missing: { field: 'studentCode', code: 'FIELD_MISSING', level: 'error' },
  personal_id_as_number: { field: 'personalId', code: 'PERSONAL_ID_LEADING_ZERO_RESTORED', level: 'warning' },
} as const;
export type CellFault = keyof typeof CELL_FAULTS;
const CELL_FAULT_NAMES = Object.keys(CELL_FAULTS) as CellFault[];

/** A fault put in a cell, where a person finds it. */
export interface ExcelDefect {
  file: string;
  sheet: string;
  /** The sheet's own row number. */
  row: number;
  /** Column letter (for a student without guardians, the father's name: where to fill one in). */
  column: string | null;
  field: string;
  code: string;
  level: 'error' | 'warning';
  /** The generator's defect type, or the cell fault's. */
  type: string;
  /** Key of the generator's record that holds the fault. */
  key: string;
}

const ETHNICITY_NAME = (code: string | undefined) => (code ? (ETHNICITY_CODES.get(code)?.name ?? code) : '');
const STATUS_NAME = (code: string | undefined) => (code ? (STUDENT_STATUSES.get(code)?.name ?? code) : '');

function guardianCells(g: Guardian | undefined): CellInput[] {
  if (!g) return [null, null, null, null];
  return [g.fullName, g.personalId ?? null, g.birthDate ? dateCell(g.birthDate) : null, g.phone ?? null];
}

export interface C1Sheet {
  ws: ExcelJS.Worksheet;
  /** Row number of the next student. */
  row: number;
  stt: number;
}

export const C1_SHEET = 'Sheet1';

/** Opens the C1 sheet and writes its titles and header; data starts on row 6. */
export function startC1Sheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  titles: { schoolName: string; schoolYear: string },
): C1Sheet {
  const ws = wb.addWorksheet(C1_SHEET);
  const width = C1_COLUMNS.length;
  const next = writeTitles(
    ws,
    [
      'SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ HỒ CHÍ MINH',
      titles.schoolName.toUpperCase(),
      `DANH SÁCH HỌC SINH NĂM HỌC ${titles.schoolYear}`,
    ],
    width,
  );
  ws.addRow([]).commit();
  writeHeader(
    ws,
    C1_COLUMNS.map((c) => c.header),
  );
  return { ws, row: next + 2, stt: 0 };
}

/**
 * Writes one student; returns the row it went to. `fault` puts one cell-level fault in the row.
 */
export function writeC1Row(sheet: C1Sheet, s: Student, statusDate: string, fault?: CellFault): number {
  const byRel = (rel: Guardian['relationship']) => s.guardians.find((g) => g.relationship === rel);
  let birthDate: CellInput = dmy(s.birthDate);
  let gender: CellInput = s.gender === 'male' ? 'Nam' : 'Nữ';
  let studentCode: CellInput = s.studentCode;
  // IDs are text cells, as careful schools type them; an 11-digit ID is what Excel left of a number.
  let personalId: CellInput =
    s.personalId && /^\d{11}$/.test(s.personalId) ? Number(s.personalId) : (s.personalId ?? null);
  if (fault === 'birth_date_impossible') birthDate = `30/02/${s.birthDate.slice(0, 4)}`;
  if (fault === 'gender_unknown') gender = 'Khác';
  if (fault === 'student_code_missing') studentCode = null;
  if (fault === 'personal_id_as_number') personalId = Number(s.personalId);
  sheet.stt++;
  const r = sheet.ws.addRow([
    sheet.stt,
    s.className ?? null,
    studentCode,
    s.fullName,
    birthDate,
    gender,
    STATUS_NAME(s.status),
    dmy(statusDate),
    ETHNICITY_NAME(s.ethnicityCode),
    null,
    personalId,
    ...guardianCells(byRel('father')),
    ...guardianCells(byRel('mother')),
    ...guardianCells(byRel('guardian')),
  ]);
  for (const col of [14, 18, 22]) r.getCell(col).numFmt = 'dd/mm/yyyy';
  r.commit();
  return sheet.row++;
}

/** Can the row hold this student's guardians (one father, one mother, one other guardian)? */
export function fitsC1(s: Student): boolean {
  const rels = s.guardians.map((g) => g.relationship);
  return new Set(rels).size === rels.length;
}

/** The catalogue sheet MOET's template carries after the data: not a student list. */
export function writeEthnicityCatalogue(wb: ExcelJS.stream.xlsx.WorkbookWriter): void {
  const ws = wb.addWorksheet('DM_DanToc');
  writeHeader(ws, ['Mã', 'Tên dân tộc']);
  for (const e of ETHNICITY_CODES.values()) ws.addRow([e.code, e.name]).commit();
  ws.commit();
}

/** Picks a cell fault for a student, at `rate`, from a seeded stream of its own. */
export function cellFaultFor(seed: number, line: number, rate: number): CellFault | undefined {
  if (rate <= 0) return undefined;
  const random = new Random(seed, 0x43454c4c, line);
  if (!random.chance(rate)) return undefined;
  return CELL_FAULT_NAMES[random.int(CELL_FAULT_NAMES.length)];
}

export interface StudentsWorkbookOptions {
  /** Canonical students, in the order to write them. */
  students: AsyncIterable<Student>;
  output: string;
  schoolName: string;
  schoolYear: string;
  statusDate: string;
  created: Date;
  sharedStrings?: boolean;
}

/**
 * Writes one C1-HocSinh workbook of any size (the benchmark's 200,000 rows included); returns the
 * number of students written.
 */
export async function writeStudentsWorkbook(options: StudentsWorkbookOptions): Promise<number> {
  const wb = openWorkbook(options.output, { created: options.created, sharedStrings: options.sharedStrings });
  const sheet = startC1Sheet(wb, { schoolName: options.schoolName, schoolYear: options.schoolYear });
  let n = 0;
  for await (const s of options.students) {
    if (!fitsC1(s)) continue;
    writeC1Row(sheet, s, options.statusDate);
    n++;
  }
  sheet.ws.commit();
  writeEthnicityCatalogue(wb);
  await wb.commit();
  return n;
}
