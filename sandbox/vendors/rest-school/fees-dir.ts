/**
 * Where the generated fees of a district are. The shared district cache (`../shared/district.ts`)
 * writes only the streams every simulator serves, without fees; this school system also keeps
 * fees, so for such a district it generates the same options again for `fees` alone, once, into a
 * cache of its own. The generator draws fees from their own random stream and the same student
 * codes, so these are the records a generation of every stream writes (checked in the tests).
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeeItem, Receivable } from '../../../src/model/records.ts';
import { generateDistrict, MANIFEST_FILE, streamFile } from '../../generator/index.ts';

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
export async function feesDir(dir: string): Promise<string | undefined> {
  if (existsSync(join(dir, streamFile('fees')))) return dir;
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
    `fees-v${manifest.version ?? 0}-s${o.seed}-n${o.schools}-c${o.classesPerGrade}x${o.classSize}-d${o.defects}-y${o.schoolYear}`,
  );
  if (existsSync(join(out, MANIFEST_FILE))) return out;
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root, 'tmp-fees-'));
  try {
    await generateDistrict({ outDir: work, ...o, streams: ['fees'] });
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
export async function* feeRecords(dir: string): AsyncGenerator<Array<FeeItem | Receivable>> {
  let rest = '';
  const input = createReadStream(join(dir, streamFile('fees')), {
    encoding: 'utf8',
    highWaterMark: 1 << 20,
  });
  for await (const chunk of input) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    yield lines.filter(Boolean).map((line) => JSON.parse(line) as FeeItem | Receivable);
  }
  if (rest.trim()) yield [JSON.parse(rest) as FeeItem | Receivable];
}
