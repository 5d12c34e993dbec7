/**
 * A generated district for the vendor simulators: generated once per set of options into the
 * system's temporary directory (reused by later runs and by parallel test workers), then read
 * back one JSONL line at a time so a simulator keeps only its own compact form of each record.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateDistrict, MANIFEST_FILE, type RecordStreamName, streamFile } from '../../generator/index.ts';

export interface DistrictOptions {
  /** A directory the generator already wrote; when set, the options below are ignored. */
  dir?: string;
  seed?: number;
  schools?: number;
  classesPerGrade?: number;
  classSize?: number;
  /** Share of students with an injected rule fault (see sandbox/generator/README.md). */
  defects?: number;
}

/** The streams the simulators serve. */
export const SIMULATOR_STREAMS: readonly RecordStreamName[] = [
  'schools',
  'school-years',
  'classes',
  'teachers',
  'students',
];

/**
 * The directory holding the district for these options, generating it on first use. Generation
 * goes to a fresh directory that is then renamed into place, so two processes asking at once both
 * end with one complete copy.
 *
 * @example
 * const dir = await districtDir({ seed: 1, schools: 2 });
 * for await (const student of readStream(dir, 'students')) …
 */
export async function districtDir(options: DistrictOptions = {}): Promise<string> {
  if (options.dir) return options.dir;
  const o = {
    seed: options.seed ?? 1,
    schools: options.schools ?? 1,
    classesPerGrade: options.classesPerGrade ?? 8,
    classSize: options.classSize ?? 42,
    defects: options.defects ?? 0,
  };
  const root = join(tmpdir(), 'edubridge-sandbox-districts');
  const dir = join(root, `s${o.seed}-n${o.schools}-c${o.classesPerGrade}x${o.classSize}-d${o.defects}`);
  if (existsSync(join(dir, MANIFEST_FILE))) return dir;
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root, 'tmp-'));
  try {
    await generateDistrict({ outDir: work, ...o, streams: SIMULATOR_STREAMS });
    await rename(work, dir);
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    // Another process finished first: its copy is as good as ours.
    if (!existsSync(join(dir, MANIFEST_FILE))) throw error;
  }
  return dir;
}

/** The canonical records of one stream of a generated district, one at a time. */
export async function* readStream<T = Record<string, unknown>>(
  dir: string,
  stream: RecordStreamName,
): AsyncGenerator<T> {
  const lines = createInterface({
    input: createReadStream(join(dir, streamFile(stream)), { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line) yield JSON.parse(line) as T;
}
