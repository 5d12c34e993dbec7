/**
 * The sources file's shape: `schemas/sources.schema.json` itself, turned into a zod schema when
 * first used, so the file a district edits, the schema its editor checks it with and the hub's own
 * validation are one and cannot drift.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const SCHEMA_URL = new URL('../../../schemas/sources.schema.json', import.meta.url);

/** The JSON Schema of the sources file, as committed. */
export function sourcesJsonSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

let compiled: z.ZodType | undefined;

/** The zod schema the loader validates with, made from the JSON Schema. */
export function sourcesFileSchema(): z.ZodType {
  compiled ??= z.fromJSONSchema(sourcesJsonSchema() as Parameters<typeof z.fromJSONSchema>[0]);
  return compiled;
}

/** One place in the file, for people: `79NB0001 › config › auth › key`. */
export function placeOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(tệp / file)' : path.map(String).join(' › ');
}

/** A schema issue in both languages, naming the place; the file's content is never echoed. */
export function describeIssue(issue: z.core.$ZodIssue): { vi: string; en: string } {
  const place = placeOf(issue.path);
  const last = issue.path.at(-1);
  switch (issue.code) {
    case 'invalid_key':
      return {
        vi: `${place}: mã trường không hợp lệ (chữ, số, ".", "_" hoặc "-", tối đa 40 ký tự)`,
        en: `${place}: not a valid school code (letters, digits, ".", "_" or "-", at most 40)`,
      };
    case 'unrecognized_keys':
      return {
        vi: `${place}: khóa không dùng được: ${issue.keys.join(', ')} (mỗi trường chỉ có adapter, config, name)`,
        en: `${place}: unknown key(s) ${issue.keys.join(', ')} (a school has only adapter, config, name)`,
      };
    case 'invalid_format':
      if (last === 'adapter') {
        return {
          vi: `${place}: không phải mã adapter có sẵn, đường dẫn (./… hoặc ../…) hay tên gói npm`,
          en: `${place}: not a built-in adapter id, a path (./… or ../…) or an npm package name`,
        };
      }
      return { vi: `${place}: sai định dạng`, en: `${place}: wrong format (${issue.message})` };
    case 'invalid_type':
      if (last === 'adapter' && issue.input === undefined) {
        return { vi: `${place}: thiếu "adapter"`, en: `${place}: "adapter" is missing` };
      }
      return {
        vi: `${place}: cần kiểu ${issue.expected}`,
        en: `${place}: expected ${issue.expected}`,
      };
    case 'too_big':
      return {
        vi: `${place}: quá lớn (tối đa ${issue.maximum})`,
        en: `${place}: too large (at most ${issue.maximum})`,
      };
    case 'too_small':
      return { vi: `${place}: quá ngắn`, en: `${place}: too short` };
    default:
      return { vi: `${place}: không hợp lệ`, en: `${place}: ${issue.message}` };
  }
}
