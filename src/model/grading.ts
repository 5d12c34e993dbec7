/**
 * Circular 22/2021/TT-BGDĐT arithmetic. Scores have at most one decimal, so every computation is
 * done on integer tenths and rounded half up with integer arithmetic: binary floating point rounds
 * 8.55 to 8.5, which would change a student's level.
 */
import { error, type Problem } from './problem.ts';

export type Comment = 'Đ' | 'CĐ';
export type LearningLevel = 'Tốt' | 'Khá' | 'Đạt' | 'Chưa đạt';

/** Levels from best to worst; the index is the rank used by the Article 9(3) adjustment. */
export const LEARNING_LEVELS: readonly LearningLevel[] = ['Tốt', 'Khá', 'Đạt', 'Chưa đạt'];

/** Tenths of a point: 8.5 → 85. Exact for any score with at most one decimal. */
export type Tenths = number;

export const toTenths = (score: number): Tenths => Math.round(score * 10);
export const fromTenths = (tenths: Tenths): number => tenths / 10;

/** Rounds numerator/denominator (both non-negative integers) half up to an integer. */
function divideHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * Checks one score: a number from 0 to 10 with at most one decimal (Art. 5(3b)).
 * Returns the problems; an empty list means the score is usable.
 */
export function checkScore(score: unknown, field: string): Problem[] {
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    return [error('SCORE_NOT_A_NUMBER', field, 'Điểm phải là một số', 'A score must be a number')];
  }
  if (score < 0 || score > 10) {
    return [
      error(
        'SCORE_RANGE',
        field,
        `Điểm ${score} nằm ngoài thang 0–10`,
        `Score ${score} is outside the 0–10 scale`,
      ),
    ];
  }
  // A number with one decimal prints with at most one digit after the point (8.5, not 8.55).
  if (!/^\d+(\.\d)?$/.test(String(score))) {
    return [
      error(
        'SCORE_PRECISION',
        field,
        `Điểm ${score} có quá một chữ số thập phân`,
        `Score ${score} has more than one decimal`,
      ),
    ];
  }
  return [];
}

/**
 * Subject semester average, ĐTBmhk = (sum of regular + 2·midterm + 3·final) / (number of regular + 5),
 * rounded half up to one decimal (Art. 9(1b)).
 *
 * @example
 * semesterAverage([5.9, 5.1, 4.9], 6.2, 5.2) // 5.5  (43.9 / 8 = 5.4875)
 */
export function semesterAverage(regular: readonly number[], midterm: number, final: number): number {
  const sum = regular.reduce((acc, s) => acc + toTenths(s), 0) + 2 * toTenths(midterm) + 3 * toTenths(final);
  return fromTenths(divideHalfUp(sum, regular.length + 5));
}

/**
 * Subject yearly average, ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, rounded half up to one decimal.
 *
 * @example
 * yearAverage(6.5, 8.0) // 7.5
 */
export function yearAverage(semester1: number, semester2: number): number {
  return fromTenths(divideHalfUp(toTenths(semester1) + 2 * toTenths(semester2), 3));
}

/**
 * Regular assessments (ĐĐGtx) required per semester for a subject taught this many periods a year
 * (Art. 6(2b)): 35 or fewer → 2; more than 35 up to 70 → 3; more than 70 → 4.
 */
export function requiredRegularAssessments(periodsPerYear: number): number {
  if (periodsPerYear <= 35) return 2;
  if (periodsPerYear <= 70) return 3;
  return 4;
}

/**
 * Result of a commented subject for a semester: Đạt when it has all the assessments required and
 * every one of them is Đạt; Chưa đạt otherwise (Art. 9(1a)).
 */
export function commentedSemesterResult(assessments: readonly Comment[], required: number): Comment {
  return assessments.length >= required && assessments.every((a) => a === 'Đ') ? 'Đ' : 'CĐ';
}

/** Result of a commented subject for the year: that of semester II (Art. 9(1a)). */
export const commentedYearResult = (semester2: Comment): Comment => semester2;

export interface SubjectResults {
  /** Averages of the scored subjects (ĐTBmhk or ĐTBmcn), one decimal each. */
  scored: readonly number[];
  /** Results of the commented subjects. */
  commented: readonly Comment[];
}

/** The level of Art. 9(2), before any adjustment. */
export function baseLearningLevel({ scored, commented }: SubjectResults): LearningLevel {
  const t = scored.map(toTenths);
  const failedComments = commented.filter((c) => c === 'CĐ').length;
  const atLeast = (min: number) => t.filter((s) => s >= min).length;
  const all = (min: number) => t.every((s) => s >= min);
  if (failedComments === 0 && all(65) && atLeast(80) >= 6) return 'Tốt';
  if (failedComments === 0 && all(50) && atLeast(65) >= 6) return 'Khá';
  if (failedComments <= 1 && atLeast(50) >= 6 && all(35)) return 'Đạt';
  return 'Chưa đạt';
}

const rank = (level: LearningLevel): number => LEARNING_LEVELS.indexOf(level);

export interface LearningLevelResult {
  level: LearningLevel;
  /** The level before the Art. 9(3) adjustment. */
  baseLevel: LearningLevel;
  /** The subject that pulled the level down (index into scored or commented) when adjusted. */
  adjustedFor: { kind: 'scored' | 'commented'; index: number } | null;
}

/**
 * The learning-result level of a semester or year (Art. 9(2)) with the Art. 9(3) adjustment: when
 * a single subject pulls the level down two or more levels, the level is raised to the adjacent one.
 *
 * "Pulled down by a single subject" is read as: had that one subject met every threshold (scored
 * 10.0, or commented Đ), the level would be two or more levels higher. Were two subjects to blame,
 * fixing either alone leaves the other holding the level down, so no adjustment applies.
 *
 * @example
 * learningLevel({ scored: [8, 8, 8, 8, 8, 8, 3], commented: ['Đ'] }).level // 'Đạt' (Chưa đạt raised)
 */
export function learningLevel(results: SubjectResults): LearningLevelResult {
  const baseLevel = baseLearningLevel(results);
  const candidates: Array<{ kind: 'scored' | 'commented'; index: number; level: LearningLevel }> = [];
  results.scored.forEach((_, index) => {
    const scored = results.scored.map((s, i) => (i === index ? 10 : s));
    candidates.push({
      kind: 'scored',
      index,
      level: baseLearningLevel({ scored, commented: results.commented }),
    });
  });
  results.commented.forEach((c, index) => {
    if (c !== 'CĐ') return;
    const commented = results.commented.map((x, i) => (i === index ? 'Đ' : x));
    candidates.push({
      kind: 'commented',
      index,
      level: baseLearningLevel({ scored: results.scored, commented }),
    });
  });
  const culprit = candidates.find((c) => rank(baseLevel) - rank(c.level) >= 2);
  if (!culprit) return { level: baseLevel, baseLevel, adjustedFor: null };
  return {
    level: LEARNING_LEVELS[rank(baseLevel) - 1]!,
    baseLevel,
    adjustedFor: { kind: culprit.kind, index: culprit.index },
  };
}

/**
 * The mean of scores given as their sum in tenths and their count, rounded half up to one decimal
 * the way Circular 22 rounds every average (Art. 5(3b)); null for no scores. Integer arithmetic,
 * as above: a class whose marks average 6.45 shows 6.5.
 *
 * @example
 * meanOfTenths(65 + 64, 2) // 6.5 (6.45 rounded half up)
 */
export function meanOfTenths(sumOfTenths: number, count: number): number | null {
  if (count === 0) return null;
  return fromTenths(divideHalfUp(sumOfTenths, count));
}
