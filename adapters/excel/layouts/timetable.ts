/**
 * Timetables (thời khóa biểu) as grids, the way schools print them:
 * - one class per block, days across ("Tiết | Thứ 2 | … | Thứ 7") and periods down, or periods
 *   across ("Thứ | Tiết 1 | … | Tiết 5") and days down; the class from the title above the block
 *   ("THỜI KHÓA BIỂU LỚP 6A1") or the sheet's name ("6A1"); several blocks may follow each other;
 * - the whole school on one sheet: "Thứ | Tiết | 6A1 | 6A2 | …".
 * A lesson cell holds the subject and the teacher's code: "Toán - GV001", "Toán (GV001)" or the two
 * on two lines. A "Buổi" column (Sáng/Chiều) or periods 6–10 mark the afternoon session.
 */
import type { TimetableSlot } from '../../../src/model/index.ts';
import { fold, RecordError } from '../../../src/sdk/index.ts';
import { cellAt, columnLetter, rowTexts, type SheetRow, textOf } from '../cells.ts';
import { type Mapped, placeOf, type SheetEnv } from '../rows.ts';
import { isClassName, readTitles, type TitleFacts } from '../titles.ts';

const DAY_WORDS: Record<string, number> = { hai: 1, ba: 2, tu: 3, nam: 4, sau: 5, bay: 6 };

/** ISO weekday of a day label: "Thứ 2"/"Thứ Hai"/"T2" → 1 … "Chủ nhật"/"CN" → 7. `bare` accepts "2". */
export function weekdayOf(text: string, bare = false): number | undefined {
  const f = fold(text);
  if (f === 'cn' || f === 'chu nhat') return 7;
  const m = /^(?:thu|t) ?([2-7]|hai|ba|tu|nam|sau|bay)$/.exec(f) ?? (bare ? /^([2-7])$/.exec(f) : null);
  if (!m) return undefined;
  const d = m[1]!;
  return /^\d$/.test(d) ? Number(d) - 1 : DAY_WORDS[d];
}

/** Period number of a label: "Tiết 3" → 3; `bare` accepts "3". */
export function periodOf(text: string, bare = false): number | undefined {
  const f = fold(text);
  const m = /^tiet ?(\d{1,2})$/.exec(f) ?? (bare ? /^(\d{1,2})$/.exec(f) : null);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= 10 ? n : undefined;
}

function sessionOf(text: string): 'morning' | 'afternoon' | undefined {
  const f = fold(text);
  if (/^(?:buoi )?sang$/.test(f)) return 'morning';
  if (/^(?:buoi )?chieu$/.test(f)) return 'afternoon';
  return undefined;
}

type Grid =
  | { shape: 'days-across'; days: Map<number, number>; periodCol: number; sessionCol?: number }
  | { shape: 'periods-across'; periods: Map<number, number>; dayCol: number; sessionCol?: number }
  | { shape: 'school'; classes: Map<number, string>; dayCol: number; periodCol: number; sessionCol?: number };

/** The grid a header row opens, if it is one. */
export function gridOf(row: SheetRow): Grid | undefined {
  const cells = rowTexts(row);
  const days = new Map<number, number>();
  const periods = new Map<number, number>();
  const classes = new Map<number, string>();
  let dayCol: number | undefined;
  let periodCol: number | undefined;
  let sessionCol: number | undefined;
  for (const { col, text } of cells) {
    const f = fold(text);
    const day = weekdayOf(text);
    const period = periodOf(text);
    if (day !== undefined) days.set(col, day);
    else if (period !== undefined) periods.set(col, period);
    else if (f === 'thu' || f === 'ngay' || f === 'thu ngay') dayCol = col;
    else if (f === 'tiet' || f === 'tiet hoc' || f === 'tiet thu') periodCol = col;
    else if (f === 'buoi' || f === 'buoi hoc') sessionCol = col;
    else if (isClassName(text)) classes.set(col, text.replace(/\s/g, '').toUpperCase());
  }
  const first = cells[0]?.col ?? 1;
  if (days.size >= 2) {
    return {
      shape: 'days-across',
      days,
      periodCol: periodCol ?? first,
      ...(sessionCol ? { sessionCol } : {}),
    };
  }
  if (periods.size >= 2) {
    return {
      shape: 'periods-across',
      periods,
      dayCol: dayCol ?? first,
      ...(sessionCol ? { sessionCol } : {}),
    };
  }
  if (dayCol !== undefined && periodCol !== undefined && classes.size >= 1) {
    return { shape: 'school', classes, dayCol, periodCol, ...(sessionCol ? { sessionCol } : {}) };
  }
  return undefined;
}

/** Splits "Toán - GV001", "Toán (GV001)", "Toán\nGV001" into the subject's name and the teacher's code. */
function splitLesson(text: string): [string, string | undefined] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > 1) return [lines[0]!, lines.slice(1).join(' ')];
  const paren = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(text);
  if (paren) return [paren[1]!, paren[2]!.trim()];
  const dash = /^(.*\S)\s+[-–—]\s+(\S.*)$/.exec(text);
  if (dash) return [dash[1]!, dash[2]!.trim()];
  return [text.trim(), undefined];
}

export interface TimetableSheetResult {
  found: boolean;
}

/**
 * Reads the lessons of one sheet. Returns whether any grid was found (a sheet with none is not a
 * timetable).
 */
export async function* readTimetableSheet(
  rows: AsyncIterable<SheetRow>,
  env: Omit<SheetEnv, 'header' | 'titles'> & { titles: TitleFacts },
): AsyncGenerator<Mapped[], TimetableSheetResult> {
  let grid: Grid | undefined;
  let found = false;
  let facts = env.titles;
  const pending: SheetRow[] = [];
  let session: 'morning' | 'afternoon' | undefined;
  let weekday: number | undefined;
  let period: number | undefined;
  const schoolYear = () => facts.schoolYear ?? env.config.schoolYear;
  const validFrom = () =>
    facts.validFrom ??
    env.config.validFrom ??
    (schoolYear() ? `${schoolYear()!.slice(0, 4)}-09-05` : undefined);
  const location = (row: SheetRow, col: number, header: string) =>
    `${placeOf(env, row.n)} col ${columnLetter(col)} (${header})`;
  const headerTexts = new Map<number, string>();

  function lesson(
    row: SheetRow,
    col: number,
    className: string | undefined,
    day: number,
    p: number,
  ): Mapped | undefined {
    const text = textOf(cellAt(row, col));
    if (text === '') return undefined;
    const at = location(row, col, headerTexts.get(col) ?? '');
    const s = p > 5 ? 'afternoon' : (session ?? 'morning');
    const periodInSession = p > 5 ? p - 5 : p;
    const y = schoolYear();
    // Periods are numbered across the day, as schools do: the afternoon's first is "tiết 6".
    const id =
      className && y
        ? `timetable-${y}-${className}-${day}-${s === 'morning' ? periodInSession : periodInSession + 5}`
        : undefined;
    const fail = (code: string, field: string, vi: string, en: string): Mapped => ({
      id,
      error: new RecordError(code, `${vi} / ${en}`, { location: at, field }),
    });
    if (!className) {
      return fail(
        'CONTEXT_MISSING',
        'className',
        'Không biết lớp của thời khóa biểu: thêm dòng tiêu đề "Lớp 6A1" hoặc đặt tên trang tính là tên lớp',
        'The class of the timetable is unknown: add a title row "Lớp 6A1" or name the sheet after the class',
      );
    }
    if (!y) {
      return fail(
        'CONTEXT_MISSING',
        'schoolYear',
        'Không biết năm học: thêm dòng "Năm học 2025-2026" hoặc schoolYear trong cấu hình',
        'The school year is unknown: add a row "Năm học 2025-2026" or schoolYear to the config',
      );
    }
    const [subjectName, teacherCode] = splitLesson(text);
    const subjectCode = env.subjects.find(subjectName);
    if (!subjectCode) {
      return fail(
        'CODE_UNKNOWN',
        'subjectCode',
        `Môn "${subjectName}" không có trong chương trình 2018 (thêm vào profile.subjects nếu trường gọi khác)`,
        `Subject "${subjectName}" is not in the 2018 curriculum (name it in profile.subjects if the school calls it otherwise)`,
      );
    }
    if (!teacherCode) {
      return fail(
        'FIELD_MISSING',
        'teacherCode',
        'Ô tiết học thiếu mã giáo viên (ví dụ "Toán - GV001")',
        'The lesson has no teacher code (e.g. "Toán - GV001")',
      );
    }
    const from = validFrom()!;
    const slot: TimetableSlot = {
      type: 'timetableSlot',
      key: `${env.system}:${id}`,
      source: env.source(`${placeOf(env, row.n)} col ${columnLetter(col)}`),
      schoolCode: env.config.schoolCode,
      schoolYear: y,
      className,
      weekday: day,
      session: s,
      period: periodInSession,
      subjectCode,
      teacherCode,
      validFrom: from,
    };
    return { id: id!, record: slot };
  }

  for await (const row of rows) {
    const opened = gridOf(row);
    if (opened) {
      // Rows since the last block are its titles ("THỜI KHÓA BIỂU LỚP 6A2").
      if (pending.length > 0) facts = { ...facts, ...definedOnly(readTitles(pending, '')) };
      pending.length = 0;
      grid = opened;
      found = true;
      session = undefined;
      weekday = undefined;
      headerTexts.clear();
      for (const { col, text } of rowTexts(row)) headerTexts.set(col, text);
      continue;
    }
    const texts = rowTexts(row);
    if (!grid) {
      pending.push(row);
      continue;
    }
    if (texts.length === 0) continue;
    // A row with only "BUỔI CHIỀU" switches the session; a row with only a title ends the block.
    if (texts.length === 1) {
      const s = sessionOf(texts[0]!.text);
      if (s) {
        session = s;
        continue;
      }
    }
    if (grid.sessionCol !== undefined) {
      const s = sessionOf(textOf(cellAt(row, grid.sessionCol)));
      if (s) session = s;
    }
    const out: Array<Mapped | undefined> = [];
    if (grid.shape === 'days-across') {
      const p = periodOf(textOf(cellAt(row, grid.periodCol)), true);
      if (p === undefined) {
        grid = undefined;
        pending.push(row);
        continue;
      }
      for (const [col, day] of grid.days) out.push(lesson(row, col, facts.className, day, p));
    } else {
      const dayText = textOf(cellAt(row, grid.dayCol));
      if (dayText !== '') weekday = weekdayOf(dayText, true);
      if (grid.shape === 'periods-across') {
        if (weekday === undefined) {
          grid = undefined;
          pending.push(row);
          continue;
        }
        for (const [col, p] of grid.periods) out.push(lesson(row, col, facts.className, weekday, p));
      } else {
        const periodText = textOf(cellAt(row, grid.periodCol));
        period = periodOf(periodText, true);
        if (weekday === undefined || period === undefined) {
          grid = undefined;
          pending.push(row);
          continue;
        }
        for (const [col, className] of grid.classes) out.push(lesson(row, col, className, weekday, period));
      }
    }
    const mapped = out.filter((m): m is Mapped => m !== undefined);
    if (mapped.length > 0) yield mapped;
  }
  return { found };
}

function definedOnly(facts: TitleFacts): TitleFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as TitleFacts;
}
