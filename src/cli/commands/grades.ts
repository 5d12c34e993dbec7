import type { Command } from 'commander';
import { z } from 'zod';
import {
  atField,
  CommentSchema,
  checkScore,
  learningLevel,
  type Problem,
  semesterAverage,
  yearAverage,
} from '../../model/index.ts';
import { inputProblems, printJson, printLine, readStdinJson, type UsageError, usageError } from '../io.ts';

const SemesterInput = z.object({ regular: z.array(z.unknown()), midterm: z.unknown(), final: z.unknown() });
// Scripts type what their keyboard has: "D"/"CD" and the words stand for Đ/CĐ.
const COMMENT_ALIASES: Record<string, 'Đ' | 'CĐ'> = {
  D: 'Đ',
  CD: 'CĐ',
  Đạt: 'Đ',
  'Chưa đạt': 'CĐ',
};
const CommentInput = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const text = v.normalize('NFC').trim();
  return COMMENT_ALIASES[text] ?? text;
}, CommentSchema);
const YearInput = z.object({ semester1: z.unknown(), semester2: z.unknown() });
const LevelInput = z.object({
  scored: z.array(z.unknown()).default([]),
  commented: z.array(CommentInput).default([]),
});

function shapeError(expected: string): UsageError {
  return usageError('INPUT_SHAPE', { expected });
}

function scores(entries: Array<[string, unknown]>): number[] {
  const problems: Problem[] = entries.flatMap(([field, value]) => checkScore(value, field));
  if (problems.length > 0) throw inputProblems(problems);
  return entries.map(([, value]) => value as number);
}

export function registerGradesCommands(program: Command): void {
  const grades = program.command('grades').description('Tính điểm theo Thông tư 22 / Circular 22 grading');
  grades
    .command('average')
    .description(
      'Điểm trung bình môn học kỳ hoặc cả năm từ JSON trên stdin / Subject semester or yearly average from JSON on stdin',
    )
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .addHelpText(
      'after',
      '\nstdin: {"regular":[…],"midterm":n,"final":n}  →  ĐTBmhk = (ΣTX + 2·GK + 3·CK) / (số TX + 5)\n' +
        '       {"semester1":n,"semester2":n}          →  ĐTBmcn = (HKI + 2·HKII) / 3',
    )
    .action(async (opts: { json?: boolean }) => {
      const input = await readStdinJson();
      let average: number;
      const semester = SemesterInput.safeParse(input);
      const year = YearInput.safeParse(input);
      if (semester.success) {
        const { regular, midterm, final } = semester.data;
        const [mid, fin, ...reg] = scores([
          ['midterm', midterm],
          ['final', final],
          ...regular.map((v, i): [string, unknown] => [`regular.${i}`, v]),
        ]);
        average = semesterAverage(reg, mid!, fin!);
      } else if (year.success) {
        const [s1, s2] = scores([
          ['semester1', year.data.semester1],
          ['semester2', year.data.semester2],
        ]);
        average = yearAverage(s1!, s2!);
      } else {
        throw shapeError('{"regular":[…],"midterm":n,"final":n} hoặc/or {"semester1":n,"semester2":n}');
      }
      if (opts.json) printJson({ average });
      else printLine(`Điểm trung bình / Average: ${average}`);
    });

  grades
    .command('level')
    .description(
      'Mức kết quả học tập (Điều 9 Thông tư 22) từ điểm trung bình các môn / Learning level (Art. 9) from subject averages',
    )
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .addHelpText('after', '\nstdin: {"scored":[8.5, 7.0, …],"commented":["Đ","CĐ", …]}')
    .action(async (opts: { json?: boolean }) => {
      const input = await readStdinJson();
      const parsed = LevelInput.safeParse(input);
      if (!parsed.success) throw shapeError('{"scored":[n, …],"commented":["Đ"|"CĐ", …]}');
      const scored = scores(parsed.data.scored.map((v, i): [string, unknown] => [`scored.${i}`, v]));
      if (scored.length === 0 && parsed.data.commented.length === 0) {
        throw inputProblems(
          atField('', [
            {
              code: 'INPUT_SHAPE',
              severity: 'error',
              field: 'scored',
              message: { vi: 'cần ít nhất một môn', en: 'at least one subject is needed' },
            },
          ]),
        );
      }
      const result = learningLevel({ scored, commented: parsed.data.commented });
      if (opts.json) {
        printJson({ level: result.level });
      } else {
        printLine(`Mức kết quả học tập / Learning level: ${result.level}`);
        if (result.adjustedFor) {
          printLine(
            `  (điều chỉnh theo Điều 9 khoản 3 từ "${result.baseLevel}" / raised by Art. 9(3) from "${result.baseLevel}")`,
          );
        }
      }
    });
}
