import { describe, expect, it } from 'vitest';
import { checkName, nameMatchKey } from './names.ts';

describe('checkName', () => {
  it('keeps a clean NFC name as it is, with no problem', () => {
    expect(checkName('Nguyễn Thị Ngọc Ánh')).toEqual({ value: 'Nguyễn Thị Ngọc Ánh', problems: [] });
  });

  it('composes decomposed diacritics to NFC, with a warning', () => {
    const decomposed = 'Nguyễn Văn Ấn'.normalize('NFD');
    const check = checkName(decomposed);
    expect(check.value).toBe('Nguyễn Văn Ấn');
    expect(check.value?.length).toBe(13);
    expect(check.problems).toMatchObject([{ code: 'NAME_NORMALISED', severity: 'warning' }]);
  });

  it('collapses doubled, non-breaking and edge spaces', () => {
    const check = checkName('  Trần\u00a0 Minh   Khôi ');
    expect(check.value).toBe('Trần Minh Khôi');
    expect(check.problems[0]?.message.en).toMatch(/spaces/);
  });

  it('removes zero-width characters pasted from the web', () => {
    expect(checkName('Lê\u200b Hoàng\ufeff Nam').value).toBe('Lê Hoàng Nam');
  });

  it('accepts names of ethnic minorities and foreigners with hyphens and apostrophes', () => {
    expect(checkName("H'Hen Niê").problems).toEqual([]);
    expect(checkName('Ksor Y-Blốk').problems).toEqual([]);
  });

  it('rejects digits and symbols', () => {
    expect(checkName('Nguyễn Văn A1').problems.map((p) => p.code)).toEqual(['NAME_INVALID_CHARACTERS']);
    expect(checkName('Phạm #Thu').value).toBeNull();
  });

  it('rejects an empty name', () => {
    expect(checkName('   ').problems.map((p) => p.code)).toEqual(['NAME_EMPTY']);
    expect(checkName(undefined).problems.map((p) => p.code)).toEqual(['NAME_EMPTY']);
  });
});

describe('nameMatchKey', () => {
  it('matches names that differ in case, spacing and normal form, but not in diacritics', () => {
    expect(nameMatchKey('NGUYỄN  Văn An')).toBe(nameMatchKey('nguyễn văn an'.normalize('NFD')));
    expect(nameMatchKey('Lê Văn An')).not.toBe(nameMatchKey('Le Van An'));
  });
});
