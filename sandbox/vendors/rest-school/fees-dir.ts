/**
 * Where the generated fees and grades of a district are. The shared district cache
 * (`../shared/district.ts`) writes only the streams every simulator serves, without fees or grade
 * books; this school system also keeps those, so for such a district it generates the same
 * options again for those streams alone, once, into a cache of its own. The generator's content of
 * a stream does not depend on which others it writes (its README), so these are the records a
 * generation of every stream writes (checked in the tests).
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assessment, FeeItem, LearningResult, Receivable } from '../../../src/model/records.ts';
import { generateDistrict, MANIFEST_FILE, type RecordStreamName, streamFile } from '../../generator/index.ts';

interface Manifest {
  version?: string;
  options?: {
    schools: number;
    seed: number;
    defects: number;
    schoolYear: string;
    classesPerGrade: number;
    classSize: number;
  };
}

/**
 * The directory holding `fees.jsonl` for the district in `dir`: `dir` itself when it has one,
 * else a cache generated from the options in its manifest; undefined for a directory without
 * fees or manifest (the school then keeps no fees).
 */
export const feesDir = (dir: string) => streamsDir(dir, 'fees', ['fees']);

/** The same for `assessments.jsonl` and `learning-results.jsonl` (the school's grade books). */
export const gradesDir = (dir: string) => streamsDir(dir, 'grades', ['assessments', 'learning-results']);

async function streamsDir(
  dir: string,
  label: string,
  streams: readonly RecordStreamName[],
): Promise<string | undefined> {
  if (streams.every((s) => existsSync(join(dir, streamFile(s))))) return dir;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  const o = manifest.options;
  if (!o) return undefined;
  const root = join(tmpdir(), 'edubridge-sandbox-districts');
  const out = join(
    root,
    `${label}-v${manifest.version ?? 0}-s${o.seed}-n${o.schools}-c${o.classesPerGrade}x${o.classSize}-d${o.defects}-y${o.schoolYear}`,
  );
  if (existsSync(join(out, MANIFEST_FILE))) return out;
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root, `tmp-${label}-`));
  try {
    await generateDistrict({ outDir: work, ...o, streams });
    await rename(work, out);
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    // Another process finished first: its copy is as good as ours.
    if (!existsSync(join(out, MANIFEST_FILE))) throw error;
  }
  return out;
}

/**
 * The fee items and notices of `fees.jsonl` in `dir`, a read buffer's worth of lines at a time: a
 * district has two notices a student, and a line-by-line async iteration would cost more than
 * everything else the school does with them.
 */
export const feeRecords = (dir: string) => recordBatches<FeeItem | Receivable>(dir, 'fees');

/** The grade book rows of `assessments.jsonl` (26 a student), batched as the fees. */
export const assessmentRecords = (dir: string) => recordBatches<Assessment>(dir, 'assessments');
export const learningResultRecords = (dir: string) => recordBatches<LearningResult>(dir, 'learning-results');

async function* recordBatches<T>(dir: string, stream: RecordStreamName): AsyncGenerator<T[]> {
  let rest = '';
  const input = createReadStream(join(dir, streamFile(stream)), {
    encoding: 'utf8',
    highWaterMark: 1 << 20,
  });
  for await (const chunk of input) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    yield lines.filter(Boolean).map((line) => JSON.parse(line) as T);
  }
  if (rest.trim()) yield [JSON.parse(rest) as T];
}
