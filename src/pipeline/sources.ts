/**
 * Which adapter reads each school's software, with its config: the sources file. Secrets in it are
 * the adapters' own (`secret()` fields), never logged or echoed.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { hubError } from '../sdk/errors.ts';

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
    throw hubError('SOURCES_NOT_FOUND', { path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const said = (cause as Error).message;
    throw hubError('SOURCES_MALFORMED', {
      path,
      reason: { vi: `không phải JSON hợp lệ (${said})`, en: `not valid JSON: ${said}` },
    });
  }
  const parsed = SourcesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw hubError('SOURCES_MALFORMED', { path, reason: `${issue.path.join('.')} ${issue.message}` });
  }
  return parsed.data;
}
