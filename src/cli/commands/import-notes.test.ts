import { describe, expect, it } from 'vitest';
import { tableEndLines, tableEndNote } from './import-notes.ts';

const end = (sheet: string) => ({
  file: 'SoDiem-6A1.xlsx',
  sheet,
  row: 49,
  footer: { row: 51, text: 'Sĩ số…' },
  rowsAfter: 4,
});

describe('where tables ended, in the import report', () => {
  it('takes the adapter’s excel table end line only when rows after the table went unread', () => {
    expect(tableEndNote('excel table end', end('Toán HK1'))).toEqual(end('Toán HK1'));
    expect(tableEndNote('excel table end', { file: 'a.csv', sheet: 'a', row: 9, rowsAfter: 0 })).toBeNull();
    expect(tableEndNote('excel header', end('Toán HK1'))).toBeNull();
  });

  it('tells the first three sheets, then counts the others (a grade book has a sheet a subject)', () => {
    const lines = tableEndLines(['Toán HK1', 'Ngữ văn HK1', 'Tin học HK1', 'KHTN HK1', 'GDCD HK1'].map(end));
    expect(lines).toEqual([
      'Toán HK1: Bảng dữ liệu kết thúc ở dòng 49 (sau đó là phần chân trang từ dòng 51: "Sĩ số…"; 4 dòng không đọc) / The table was taken to end at row 49 (what follows is a footer from row 51: "Sĩ số…"; 4 rows not read)',
      expect.stringMatching(/^Ngữ văn HK1: /),
      expect.stringMatching(/^Tin học HK1: /),
      '… và 2 trang tính khác cũng kết thúc trước phần chân trang (dùng --json để xem) / … and 2 more sheets also end before a footer (use --json to see them)',
    ]);
  });

  it('says how many rows went unread when no footer line was recognised', () => {
    const { footer: _footer, ...bare } = end('Sheet1');
    expect(tableEndLines([{ ...bare, rowsAfter: 1 }])).toEqual([
      'Sheet1: Bảng dữ liệu kết thúc ở dòng 49 (1 dòng sau đó không đọc) / The table was taken to end at row 49 (1 row after it not read)',
    ]);
  });
});
