/**
 * Dates as spreadsheets hand them over, beyond the formats a sheet is read with (`dd/mm/yyyy`,
 * `yyyy-mm-dd`, Excel's serial number …): the shapes that say only one date are read, the others
 * get a message saying what Excel probably did and how to fix it. Messages never quote the value:
 * a birth date is personal data, and the location finds the cell.
 */
import { fold, parseDate, RecordError } from '../../src/sdk/index.ts';
import type { CellValue } from './cells.ts';

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** An ISO date from year, month and day, or undefined when there is no such day. */
function isoOf(y: number, m: number, d: number): string | undefined {
  try {
    return parseDate(`${y}-${m}-${d}`, { field: 'date', formats: ['yyyy-MM-dd'] });
  } catch (error) {
    if (error instanceof RecordError) return undefined;
    throw error;
  }
}

/** A month named in English ("Sep", "September"), or undefined. */
const monthOf = (name: string): number | undefined => MONTHS[name.slice(0, 3).toLowerCase()];

/**
 * A date in a shape that says only one date, the sheet's own formats aside: with a time after it
 * ("05/09/2014 00:00:00", as exports write date-times; the date part read with `parse`, the sheet's
 * formats), year first with slashes or dots ("2014/09/05"), in Vietnamese words ("ngày 5 tháng 9
 * năm 2014"), or with an English month name and a four-digit year ("5-Sep-2014", "Sep 5, 2014").
 * Undefined for anything else.
 *
 * @example
 * relaxedDate('05/09/2014 00:00:00', (t) => parseDate(t, { field: 'birthDate' })) // '2014-09-05'
 */
export function relaxedDate(text: string, parse: (text: string) => string): string | undefined {
  const timed = /^(\S+)[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?: ?[AaPp][Mm])?$/.exec(text);
  if (timed) {
    try {
      return parse(timed[1]!);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      return relaxedDate(timed[1]!, parse);
    }
  }
  const yearFirst = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (yearFirst) return isoOf(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]));
  const words = /^(?:ngay )?(\d{1,2}) thang (\d{1,2}) nam (\d{4})$/.exec(fold(text));
  if (words) return isoOf(Number(words[3]), Number(words[2]), Number(words[1]));
  const dayMonth = /^(\d{1,2})[-\s]([A-Za-z]{3,9})\.?[-\s,]+(\d{4})$/.exec(text);
  if (dayMonth && monthOf(dayMonth[2]!)) {
    return isoOf(Number(dayMonth[3]), monthOf(dayMonth[2]!)!, Number(dayMonth[1]));
  }
  const monthDay = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(text);
  if (monthDay && monthOf(monthDay[1]!)) {
    return isoOf(Number(monthDay[3]), monthOf(monthDay[1]!)!, Number(monthDay[2]));
  }
  return undefined;
}

export interface Bilingual {
  vi: string;
  en: string;
}

const HOW_TO_FIX = {
  vi: 'ghi ngày dạng ngày/tháng/năm đủ 4 chữ số năm (dd/mm/yyyy); trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán, hoặc là Date kiểu Việt Nam',
  en: 'write it day/month/year with a four-digit year (dd/mm/yyyy); in Excel, format the column as Text before typing or pasting, or as a Vietnamese Date',
};

const hint = (vi: string, en: string): Bilingual => ({
  vi: `${vi}; ${HOW_TO_FIX.vi}`,
  en: `${en}; ${HOW_TO_FIX.en}`,
});

/** Digits `ddmmyyyy` (a leading zero Excel dropped put back) that make a date. */
function dayMonthYearDigits(digits: string): boolean {
  if (!/^\d{7,8}$/.test(digits)) return false;
  const d = digits.padStart(8, '0');
  return isoOf(Number(d.slice(4)), Number(d.slice(2, 4)), Number(d.slice(0, 2))) !== undefined;
}

const US_EXCEL = {
  vi: 'Excel đặt vùng English (United States) đọc và ghi ngày theo tháng trước: đặt vùng (Region) là Vietnam, và kiểm tra cả các ngày khác trong cột: ngày từ 12 trở xuống có thể đã bị đảo ngày và tháng mà không báo lỗi',
  en: 'Excel set to the English (United States) region reads and writes dates month first: set the Region to Vietnam, and check the other dates of the column: those with a day up to 12 may have had day and month swapped without any error',
};

/**
 * What a date cell that could not be read probably is, and how to fix it: a month-first (US)
 * date, a two-digit year, a day the month does not have, `ddmmyyyy` digits Excel made a number, a
 * number that is no date, a date in words. `monthFirst` when the sheet is read month first.
 *
 * @example
 * dateHint('04/25/2013', false)?.en // 'the cell reads month first (US style): …'
 */
export function dateHint(value: CellValue, monthFirst: boolean): Bilingual {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && dayMonthYearDigits(String(value))) {
      return hint(
        'ô là một số dạng ngày-tháng-năm viết liền (Excel đã đổi ngày thành số và bỏ số 0 đầu)',
        'the cell is a number of the form daymonthyear run together (Excel made the date a number and dropped its leading zero)',
      );
    }
    return hint(
      'ô chứa một số, không phải ngày (ngày của Excel là số từ 7306 = 01/01/1920 đến 73415 = 31/12/2099); có thể cột bị định dạng General/Number, hoặc dán nhầm cột',
      "the cell holds a number that is no date (Excel's dates are numbers from 7306 = 1 Jan 1920 to 73415 = 31 Dec 2099); the column may be formatted General/Number, or another column pasted",
    );
  }
  const text = typeof value === 'string' ? value.trim() : '';
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text);
  if (dmy) {
    const [a, b, year] = [Number(dmy[1]), Number(dmy[2]), dmy[3]!];
    if (year.length === 2) {
      return hint(
        'năm chỉ có 2 chữ số, không biết là 19xx hay 20xx (Excel định dạng ngày ngắn d/m/yy)',
        'the year has 2 digits, 19xx or 20xx cannot be told (Excel formatted the date short, d/m/yy)',
      );
    }
    if (!monthFirst && a <= 12 && b > 12 && b <= 31) {
      return hint(
        `ô ghi tháng trước ngày (kiểu Mỹ, tháng/ngày/năm): phần thứ hai lớn hơn 12 nên không thể là tháng. ${US_EXCEL.vi}`,
        `the cell reads month first (US style, month/day/year): its second part is over 12, so it cannot be the month. ${US_EXCEL.en}`,
      );
    }
    if (monthFirst && a > 12 && a <= 31 && b <= 12) {
      return hint(
        'tệp được đọc theo tháng trước (profile.dateFormat MM/dd/yyyy) nhưng ô ghi ngày trước: phần đầu lớn hơn 12 nên không thể là tháng; bỏ dateFormat khỏi profile nếu tệp ghi ngày trước',
        'the file is read month first (profile.dateFormat MM/dd/yyyy) but the cell reads day first: its first part is over 12, so it cannot be the month; drop dateFormat from the profile if the file is day first',
      );
    }
    if (a >= 1 && a <= 31 && b >= 1 && b <= 12) {
      return hint(
        'tháng đó không có ngày này (ví dụ 31/04, 29/02 năm không nhuận)',
        'the month has no such day (e.g. 31/04, 29/02 in a common year)',
      );
    }
    return hint(
      'ngày hoặc tháng ngoài khoảng (ngày 1–31, tháng 1–12)',
      'the day or the month is out of range (day 1–31, month 1–12)',
    );
  }
  if (/^\d{1,2}[-\s][A-Za-z]{3,9}\.?[-\s]\d{2}$/.test(text)) {
    return hint(
      'ngày kiểu Excel tiếng Anh (d-mmm-yy) với năm 2 chữ số',
      'an English Excel date (d-mmm-yy) with a two-digit year',
    );
  }
  if (dayMonthYearDigits(text)) {
    return hint(
      'ô là các chữ số ngày-tháng-năm viết liền, không có dấu "/" (có thể Excel đã đổi thành số)',
      'the cell is the digits of day, month and year run together, without "/" (Excel may have made it a number)',
    );
  }
  if (/^\d+(?:[.,]\d+)?$/.test(text)) {
    return hint(
      'ô chứa một số, không phải ngày (số ngày của Excel từ 7306 = 01/01/1920 đến 73415 = 31/12/2099)',
      "the cell holds a number that is no date (Excel's day numbers run from 7306 = 1 Jan 1920 to 73415 = 31 Dec 2099)",
    );
  }
  if (/\p{L}/u.test(text)) {
    return hint('ngày viết bằng chữ không đọc được', 'a date in words that cannot be read');
  }
  return hint('không phải ngày đọc được', 'not a date that can be read');
}
