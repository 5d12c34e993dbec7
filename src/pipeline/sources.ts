/**
 * Which adapter reads each school's software, with its config: the sources file. Secrets in it are
 * the adapters' own (`secret()` fields), never logged or echoed.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PermanentError } from '../sdk/errors.ts';

const SourcesSchema = z.record(
  z.string().min(1),
  z.object({ adapter: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/), config: z.unknown() }),
);
export type Sources = z.infer<typeof SourcesSchema>;

export async function loadSources(path: string): Promise<Sources> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new PermanentError(
      'SOURCES_NOT_FOUND',
      `Không đọc được tệp nguồn dữ liệu "${path}" (SOURCES_FILE) / Cannot read the sources file "${path}" (SOURCES_FILE)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new PermanentError(
      'SOURCES_MALFORMED',
      `Tệp "${path}" không phải JSON hợp lệ / "${path}" is not valid JSON: ${(cause as Error).message}`,
    );
  }
  const parsed = SourcesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PermanentError(
      'SOURCES_MALFORMED',
      `Tệp "${path}": ${issue.path.join('.')} ${issue.message} / "${path}": ${issue.path.join('.')} ${issue.message}`,
    );
  }
  return parsed.data;
}
