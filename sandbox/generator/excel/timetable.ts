/**
 * A school's timetable (thời khóa biểu) as the grid schools print: one sheet per class, days across
 * ("Thứ 2" … "Thứ 7"), periods down under a "Buổi" cell merged over the session, each lesson as
 * "Toán - GV12345678".
 */
import type { TimetableSlot } from '../../../src/model/records.ts';
import { subjectName } from './teachers.ts';
import { dmy, letter, openWorkbook, sheetName, writeHeader, writeTitles } from './workbook.ts';

const DAYS = ['Thứ 2', 'Thứ 3', 'Thứ 4', 'Thứ 5', 'Thứ 6', 'Thứ 7'];
export const TIMETABLE_HEADER_ROW = 5;

/** The cell of a lesson: sheet (the class), row and column. */
export interface LessonCell {
  sheet: string;
  row: number;
  column: string;
}

export async function writeTimetableWorkbook(options: {
  /** A school's slots, class after class. */
  slots: readonly TimetableSlot[];
  output: string;
  schoolName: string;
  created: Date;
  onCell?: (slot: TimetableSlot, cell: LessonCell) => void;
}): Promise<void> {
  const byClass = new Map<string, TimetableSlot[]>();
  for (const s of options.slots) {
    const list = byClass.get(s.className) ?? [];
    byClass.set(s.className, list);
    list.push(s);
  }
  const wb = openWorkbook(options.output, { created: options.created });
  for (const [className, slots] of byClass) {
    const name = sheetName(className);
    const ws = wb.addWorksheet(name);
    const first = slots[0]!;
    writeTitles(
      ws,
      [
        options.schoolName.toUpperCase(),
        `THỜI KHÓA BIỂU LỚP ${className} - NĂM HỌC ${first.schoolYear}`,
        `Áp dụng từ ngày ${dmy(first.validFrom)}`,
      ],
      2 + DAYS.length,
    );
    ws.addRow([]).commit();
    writeHeader(ws, ['Buổi', 'Tiết', ...DAYS]);
    const at = new Map(slots.map((s) => [`${s.weekday}-${s.period}`, s]));
    const rows = [];
    for (let period = 1; period <= 5; period++) {
      const row = TIMETABLE_HEADER_ROW + period;
      const cells = DAYS.map((_, d) => {
        const slot = at.get(`${d + 1}-${period}`);
        if (slot) options.onCell?.(slot, { sheet: name, row, column: letter(3 + d) });
        return slot ? `${subjectName(slot.subjectCode)} - ${slot.teacherCode}` : null;
      });
      rows.push(ws.addRow([period === 1 ? 'Sáng' : null, period, ...cells]));
    }
    // The session's cell spans its five periods (merged once the rows exist).
    ws.mergeCells(TIMETABLE_HEADER_ROW + 1, 1, TIMETABLE_HEADER_ROW + 5, 1);
    for (const r of rows) r.commit();
    ws.commit();
  }
  await wb.commit();
}
