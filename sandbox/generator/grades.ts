/**
 * A student's grade book for the year under Circular 22/2021: per subject and semester, the
 * required regular assessments, a midterm and a final, and the semester average or result; then
 * the learning results of semester I, semester II and the year. Scores are drawn around a
 * per-student ability and computed with the model's own arithmetic, so they check out exactly.
 * The spread is tuned so that the year's levels come out near 39 % Tốt, 41 % Khá, 19 % Đạt and
 * 2 % Chưa đạt, with about 2 % of students failing a commented subject.
 */
import {
  type Comment,
  commentedSemesterResult,
  type LearningLevel,
  learningLevel,
  requiredRegularAssessments,
  semesterAverage,
  yearAverage,
} from '../../src/model/grading.ts';
import type { SubjectResult } from '../../src/model/records.ts';
import { gradeSubjects, periodsPerYear } from './curriculum.ts';
import { type Random, Weighted } from './random.ts';

export type SemesterNo = 1 | 2;

export interface ScoredBook {
  subjectCode: string;
  evaluation: 'scored';
  regular: number[];
  midterm: number;
  final: number;
  average: number;
}

export interface CommentedBook {
  subjectCode: string;
  evaluation: 'commented';
  regular: Comment[];
  midterm: Comment;
  final: Comment;
  result: Comment;
}

export type SubjectBook = ScoredBook | CommentedBook;

export interface PeriodResult {
  period: 'semester1' | 'semester2' | 'year';
  subjects: SubjectResult[];
  level: LearningLevel;
  conduct: LearningLevel;
}

export interface GradeBook {
  /** Index 0: semester I, 1: semester II; one entry per subject of the grade, same order. */
  semesters: [SubjectBook[], SubjectBook[]];
  results: [PeriodResult, PeriodResult, PeriodResult];
}

const CONDUCT = new Weighted<LearningLevel>([
  ['Tốt', 78],
  ['Khá', 17],
  ['Đạt', 4.5],
  ['Chưa đạt', 0.5],
]);

const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** A regular (oral, 15-minute) score: whole or half points. */
function regularScore(random: Random, mean: number): number {
  return clamp(Math.round((mean + 0.9 * random.normal()) * 2), 0, 20) / 2;
}

/** A written test marked in quarter points, then rounded half up to one decimal (8.25 → 8.3). */
function testScore(random: Random, mean: number): number {
  const quarters = clamp(Math.round((mean + 0.8 * random.normal()) * 4), 0, 40);
  return Math.floor((quarters * 5 + 1) / 2) / 10;
}

function comment(random: Random, failing: boolean): Comment {
  return failing && random.chance(0.5) ? 'CĐ' : 'Đ';
}

function levelOf(subjects: readonly SubjectResult[]): LearningLevel {
  const scored: number[] = [];
  const commented: Comment[] = [];
  for (const s of subjects) {
    if (s.evaluation === 'scored') scored.push(s.average);
    else commented.push(s.result);
  }
  return learningLevel({ scored, commented }).level;
}

/** The whole year of one student of `grade`. */
export function gradeBook(random: Random, grade: number): GradeBook {
  const subjects = gradeSubjects(grade);
  const ability = clamp(7.9 + 1.3 * random.normal(), 3, 9.8);
  const semesters: [SubjectBook[], SubjectBook[]] = [[], []];
  for (const subject of subjects) {
    const required = requiredRegularAssessments(periodsPerYear(subject, grade));
    const aptitude = ability + 0.4 * random.normal();
    for (const semester of [0, 1] as const) {
      const mean = aptitude + (semester === 1 ? 0.3 * random.normal() : 0);
      if (subject.evaluation === 'scored') {
        const regular = Array.from({ length: required }, () => regularScore(random, mean));
        const midterm = testScore(random, mean);
        const final = testScore(random, mean - 0.2);
        semesters[semester].push({
          subjectCode: subject.code,
          evaluation: 'scored',
          regular,
          midterm,
          final,
          average: semesterAverage(regular, midterm, final),
        });
      } else {
        // A Chưa đạt is rare, likelier for a student who struggles everywhere.
        const failing = random.chance(mean < 5 ? 0.04 : 0.003);
        const regular = Array.from({ length: required }, () => comment(random, failing));
        const midterm = comment(random, failing);
        const final = comment(random, failing && !regular.includes('CĐ') && midterm === 'Đ');
        semesters[semester].push({
          subjectCode: subject.code,
          evaluation: 'commented',
          regular,
          midterm,
          final,
          result: commentedSemesterResult([...regular, midterm, final], required + 2),
        });
      }
    }
  }
  const semesterResult = (i: 0 | 1, conduct: LearningLevel): PeriodResult => {
    const list: SubjectResult[] = semesters[i].map((b) =>
      b.evaluation === 'scored'
        ? { subjectCode: b.subjectCode, evaluation: 'scored', average: b.average }
        : { subjectCode: b.subjectCode, evaluation: 'commented', result: b.result },
    );
    return { period: i === 0 ? 'semester1' : 'semester2', subjects: list, level: levelOf(list), conduct };
  };
  const conduct1 = CONDUCT.draw(random);
  const conduct2 = random.chance(0.8) ? conduct1 : CONDUCT.draw(random);
  const year: SubjectResult[] = semesters[0].map((b1, j) => {
    const b2 = semesters[1][j]!;
    if (b1.evaluation === 'scored' && b2.evaluation === 'scored') {
      return {
        subjectCode: b1.subjectCode,
        evaluation: 'scored',
        average: yearAverage(b1.average, b2.average),
        semester1: b1.average,
        semester2: b2.average,
      };
    }
    return { subjectCode: b1.subjectCode, evaluation: 'commented', result: (b2 as CommentedBook).result };
  });
  return {
    semesters,
    results: [
      semesterResult(0, conduct1),
      semesterResult(1, conduct2),
      // Simplified: the year's conduct is semester II's (Art. 8 also weighs semester I; no rule checks it).
      { period: 'year', subjects: year, level: levelOf(year), conduct: conduct2 },
    ],
  };
}
