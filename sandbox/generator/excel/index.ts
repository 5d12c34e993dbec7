/**
 * The synthetic district as spreadsheets in the layouts schools hand over (C1-HocSinh, CSDL_GiaoVien,
 * grade books, timetable grids, fee lists), for the excel adapter's tests, fixtures and benchmark.
 */
export {
  EXCEL_DIR,
  type ExcelDistrictOptions,
  type ExcelDistrictSummary,
  writeDistrictExcel,
} from './district.ts';
export { writeFeesWorkbook } from './fees.ts';
export { writeGradeBook } from './gradebook.ts';
export { Groups, jsonlLines } from './jsonl.ts';
export {
  C1_COLUMNS,
  C1_SHEET,
  CELL_FAULTS,
  type CellFault,
  type ExcelDefect,
  writeStudentsWorkbook,
} from './students.ts';
export { SUBJECT_SHORT_NAMES, writeTeachersWorkbook } from './teachers.ts';
export { writeTimetableWorkbook } from './timetable.ts';
export { openWorkbook } from './workbook.ts';
