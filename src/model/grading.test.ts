import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  baseLearningLevel,
  checkScore,
  commentedSemesterResult,
  learningLevel,
  requiredRegularAssessments,
  semesterAverage,
  yearAverage,
} from './grading.ts';

describe('Circular 22 averages', () => {
  it('computes the worked example of Art. 9: (15.9 + 12.4 + 15.6) / 8 = 5.4875 → 5.5', () => {
    expect(semesterAverage([5.9, 5.1, 4.9], 6.2, 5.2)).toBe(5.5);
  });

  it('rounds an exact .x5 half up where binary floating point rounds it down (8.55 → 8.6)', () => {
    // (8.3 + 2·8.6 + 3·8.6) / 6 = 51.3 / 6 = 8.55 exactly; in floating point it is 8.549999…
    expect((8.3 + 2 * 8.6 + 3 * 8.6) / 6).toBeLessThan(8.55);
    expect(semesterAverage([8.3], 8.6, 8.6)).toBe(8.6);
    // (8.1 + 17.2 + 25.8) / 6 = 8.5166… → 8.5
    expect(semesterAverage([8.1], 8.6, 8.6)).toBe(8.5);
  });

  it('rounds the yearly average half up on exact thirds', () => {
    expect(yearAverage(8.5, 8.6)).toBe(8.6); // 25.7 / 3 = 8.566…
    expect(yearAverage(8.6, 8.5)).toBe(8.5); // 25.6 / 3 = 8.533…
  });

  it('computes the yearly average (I + 2·II) / 3', () => {
    expect(yearAverage(6.5, 8.0)).toBe(7.5);
    expect(yearAverage(7.0, 7.1)).toBe(7.1); // 21.2 / 3 = 7.066 → 7.1
  });

  propTest.prop([
    fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 4 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
  ])(
    'the semester average lies between the lowest and highest score and has one decimal',
    (reg, mid, fin) => {
      const regular = reg.map((t) => t / 10);
      const avg = semesterAverage(regular, mid / 10, fin / 10);
      const all = [...regular, mid / 10, fin / 10];
      expect(avg).toBeGreaterThanOrEqual(Math.min(...all));
      expect(avg).toBeLessThanOrEqual(Math.max(...all));
      expect(String(avg)).toMatch(/^\d+(\.\d)?$/);
    },
  );
});

describe('scores', () => {
  it('accepts 0, 10 and one decimal', () => {
    expect(checkScore(0, 'x')).toEqual([]);
    expect(checkScore(10, 'x')).toEqual([]);
    expect(checkScore(7.5, 'x')).toEqual([]);
  });
  it('rejects out of range, two decimals and non-numbers', () => {
    expect(checkScore(10.5, 'x')[0]?.code).toBe('SCORE_RANGE');
    expect(checkScore(-1, 'x')[0]?.code).toBe('SCORE_RANGE');
    expect(checkScore(8.55, 'x')[0]?.code).toBe('SCORE_PRECISION');
    expect(checkScore('8', 'x')[0]?.code).toBe('SCORE_NOT_A_NUMBER');
    expect(checkScore(Number.NaN, 'x')[0]?.code).toBe('SCORE_NOT_A_NUMBER');
  });
});

describe('regular assessments per semester (Art. 6)', () => {
  it.each([
    [35, 2],
    [52, 3],
    [70, 3],
    [105, 4],
    [140, 4],
  ])('%i periods a year → %i', (periods, count) => {
    expect(requiredRegularAssessments(periods)).toBe(count);
  });
});

describe('commented subjects', () => {
  it('is Đ only with every required assessment and all of them Đ', () => {
    expect(commentedSemesterResult(['Đ', 'Đ', 'Đ', 'Đ'], 4)).toBe('Đ');
    expect(commentedSemesterResult(['Đ', 'Đ', 'Đ'], 4)).toBe('CĐ');
    expect(commentedSemesterResult(['Đ', 'CĐ', 'Đ', 'Đ'], 4)).toBe('CĐ');
  });
});

const six = (v: number) => [v, v, v, v, v, v];

describe('learning level (Art. 9)', () => {
  it('Tốt: all ≥ 6.5, at least six ≥ 8.0, all comments Đ', () => {
    expect(learningLevel({ scored: [...six(8), 6.5, 7], commented: ['Đ', 'Đ'] }).level).toBe('Tốt');
  });
  it('Khá when only five subjects reach 8.0', () => {
    expect(learningLevel({ scored: [8, 8, 8, 8, 8, 7.9, 6.5, 7], commented: ['Đ'] }).level).toBe('Khá');
  });
  it('Khá: all ≥ 5.0 and six ≥ 6.5', () => {
    expect(learningLevel({ scored: [...six(6.5), 5, 5], commented: ['Đ'] }).level).toBe('Khá');
  });
  it('Đạt: six ≥ 5.0, none below 3.5, at most one comment CĐ', () => {
    expect(learningLevel({ scored: [...six(5), 3.5, 4], commented: ['Đ', 'Đ'] }).level).toBe('Đạt');
  });
  it('Chưa đạt with two comment subjects CĐ', () => {
    expect(learningLevel({ scored: six(5), commented: ['CĐ', 'CĐ'] }).level).toBe('Chưa đạt');
  });

  it('Art. 9(3): a single subject that drops Tốt to Chưa đạt gives Đạt', () => {
    const result = learningLevel({ scored: [...six(9), 3.0], commented: ['Đ'] });
    expect(result).toEqual({
      level: 'Đạt',
      baseLevel: 'Chưa đạt',
      adjustedFor: { kind: 'scored', index: 6 },
    });
  });

  it('Art. 9(3): a single subject that drops Tốt to Đạt gives Khá', () => {
    // 4.5 < 5.0 keeps it from Khá; without it the student is Tốt
    expect(baseLearningLevel({ scored: [...six(8.5), 4.5], commented: [] })).toBe('Đạt');
    expect(learningLevel({ scored: [...six(8.5), 4.5], commented: [] }).level).toBe('Khá');
  });

  it('Art. 9(3): one comment subject CĐ that drops Tốt to Đạt gives Khá', () => {
    expect(learningLevel({ scored: six(9), commented: ['CĐ', 'Đ'] })).toMatchObject({
      level: 'Khá',
      baseLevel: 'Đạt',
      adjustedFor: { kind: 'commented', index: 0 },
    });
  });

  it('no adjustment when two subjects hold the level down', () => {
    expect(learningLevel({ scored: [...six(9), 3.0, 3.0], commented: [] }).level).toBe('Chưa đạt');
  });

  it('no adjustment for a drop of one level', () => {
    expect(learningLevel({ scored: [...six(9), 6.0], commented: [] }).level).toBe('Khá');
  });
});
