/**
 * What the title rows above a header and the sheet's name say about every row below: the school
 * year ("NĂM HỌC 2025-2026"), the semester ("HỌC KỲ I"), the period of a learning-result sheet
 * ("HỌC KỲ II", "CẢ NĂM"), the class ("DANH SÁCH HỌC SINH LỚP 6A1"), the subject ("Môn: Toán") and
 * the date a timetable applies from ("Áp dụng từ ngày 08/09/2025").
 */
import { fold, parseDate } from '../../src/sdk/index.ts';
import { rowTexts, type SheetRow } from './cells.ts';

/** The period a learning result covers (the canonical `LearningResult.period`). */
export type ResultPeriod = 'semester1' | 'semester2' | 'year';

export interface TitleFacts {
  schoolYear?: string;
  semester?: 1 | 2;
  /** A semester, or the whole year ("CẢ NĂM"); the first title that names either. */
  period?: ResultPeriod;
  className?: string;
  /** The subject as written ("Toán"); resolved to a code by the layout. */
  subject?: string;
  validFrom?: string;
}

const CLASS_NAME = /^(1[0-2]|[1-9])\s?[A-Za-z][A-Za-z0-9.]{0,5}$/;

/** A class name as schools write it: grade first (6A1, 10CT, 9/2 is not one). */
export const isClassName = (text: string): boolean => CLASS_NAME.test(text.trim());

export function schoolYearIn(text: string): string | undefined {
  const m = /(?:^| )nam hoc (\d{4}) ?(\d{4})(?: |$)/.exec(fold(text));
  if (!m) return undefined;
  const first = Number(m[1]);
  return Number(m[2]) === first + 1 ? `${first}-${first + 1}` : undefined;
}

export function semesterIn(text: string): 1 | 2 | undefined {
  const m = /(?:^| )(?:hoc ky|hk) ?(ii|i|1|2)(?: |$)/.exec(fold(text));
  if (!m) return undefined;
  return m[1] === 'i' || m[1] === '1' ? 1 : 2;
}

/**
 * "CẢ NĂM" (the whole year, not "NĂM HỌC") or a semester. `short` also takes "CN", as a period
 * column or a sheet name writes it; in a title "CN" is more likely a subject (Công nghệ).
 */
export function periodIn(text: string, short = false): ResultPeriod | undefined {
  const folded = fold(text);
  if (/(?:^| )ca ?nam(?: |$)/.test(folded) || (short && folded === 'cn')) return 'year';
  const semester = semesterIn(text);
  return semester === undefined ? undefined : semester === 1 ? 'semester1' : 'semester2';
}

function classIn(text: string): string | undefined {
  const m = /(?:^|[^\p{L}])l[ớo]p\s*:?\s*((?:1[0-2]|[1-9])\s?[A-Za-z][A-Za-z0-9.]{0,5})(?![\p{L}\d])/iu.exec(
    text.normalize('NFC'),
  );
  return m ? m[1]!.replace(/\s/g, '').toUpperCase() : undefined;
}

function subjectIn(text: string): string | undefined {
  const m =
    /(?:^|[^\p{L}])m[ôo]n(?:\s+h[ọo]c)?\s*:\s*(.+?)\s*(?:[-–,;]\s*)?(?:(?:l[ớo]p|h[ọo]c\s+k[ỳìy]|n[ăa]m\s+h[ọo]c)(?![\p{L}]).*)?$/iu.exec(
      text.normalize('NFC'),
    );
  return m ? m[1]!.trim() : undefined;
}

function validFromIn(text: string): string | undefined {
  const m = /(?:ap dung|thuc hien|hieu luc) (?:tu )?(?:ngay )?(\d{1,2}) (\d{1,2}) (\d{4})/.exec(fold(text));
  if (!m) return undefined;
  try {
    return parseDate(`${m[1]}/${m[2]}/${m[3]}`, { field: 'validFrom', formats: ['dd/MM/yyyy'] });
  } catch {
    return undefined;
  }
}

/** Facts read from the title rows (each cell's text) and from the sheet's name. */
export function readTitles(rows: readonly SheetRow[], sheetName: string): TitleFacts {
  const facts: TitleFacts = {};
  // Each cell alone, then each row's cells joined ("Lớp:" | "6A1" | "Môn:" | "Toán").
  const texts = rows.flatMap((r) => {
    const cells = rowTexts(r).map((t) => t.text);
    return cells.length > 1 ? [...cells, cells.join(' ')] : cells;
  });
  for (const text of texts) {
    facts.schoolYear ??= schoolYearIn(text);
    facts.semester ??= semesterIn(text);
    facts.period ??= periodIn(text);
    facts.className ??= classIn(text);
    facts.subject ??= subjectIn(text);
    facts.validFrom ??= validFromIn(text);
  }
  // The sheet's name: "6A1", "Toán-HK1", "6A1_Toan".
  const parts = sheetName.split(/[-_ ]+/).filter(Boolean);
  for (const part of parts) {
    if (!facts.className && isClassName(part)) facts.className = part.toUpperCase();
    facts.semester ??= semesterIn(part);
    facts.period ??= periodIn(part, true);
  }
  return facts;
}
