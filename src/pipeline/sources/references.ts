/**
 * Values a sources file gives by reference, so that no secret need be written in it: an object
 * with the single key `env` (`{"env": "SMAS_CLIENT_SECRET"}`: the environment variable's value) or
 * `file` (`{"file": "secrets/smas"}`: the file's content without its final line break, the path
 * taken from the sources file's folder, as container secrets are mounted). Any config value may be a
 * reference; secrets should be.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A secret file is a few lines at most; a bigger one is a wrong path, not a secret. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;
/** How deep a config may nest: an adapter's config is a handful of levels. */
const MAX_DEPTH = 32;

export type Reference = { env: string } | { file: string };

/** True for `{"env": "…"}` or `{"file": "…"}` and nothing else. */
export function isReference(value: unknown): value is Reference {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    (keys[0] === 'env' || keys[0] === 'file') &&
    typeof (value as Record<string, unknown>)[keys[0]] === 'string'
  );
}

/** Why a reference gave no value, and which field it sat in. */
export class UnresolvedReference extends Error {
  constructor(
    readonly field: string,
    readonly reason: { vi: string; en: string },
  ) {
    super(reason.en);
  }
}

async function readSecretFile(path: string, shown: string, field: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    throw new UnresolvedReference(field, {
      vi: `không đọc được tệp "${shown}" (đường dẫn tính từ thư mục của tệp nguồn)`,
      en: `cannot read the file "${shown}" (the path is taken from the sources file's folder)`,
    });
  }
  try {
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_SECRET_FILE_BYTES) {
      throw new UnresolvedReference(field, {
        vi: `tệp "${shown}" lớn hơn 64 KiB, không phải một bí mật`,
        en: `the file "${shown}" is over 64 KiB: not a secret`,
      });
    }
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  } finally {
    await handle.close();
  }
}

/**
 * A copy of `config` with every reference replaced by its value. `references` collects the dotted
 * path of each field that was one, so a check can tell a secret given inline from one referenced.
 */
export async function resolveReferences(
  config: unknown,
  options: { sourcesDir: string; env?: NodeJS.ProcessEnv; references?: Set<string> },
): Promise<unknown> {
  const env = options.env ?? process.env;
  const walk = async (value: unknown, path: string[]): Promise<unknown> => {
    const field = path.join('.') || '(config)';
    if (path.length > MAX_DEPTH) {
      throw new UnresolvedReference(field, {
        vi: `lồng quá ${MAX_DEPTH} tầng`,
        en: `nested deeper than ${MAX_DEPTH} levels`,
      });
    }
    if (isReference(value)) {
      options.references?.add(field);
      if ('env' in value) {
        const found = env[value.env];
        if (found === undefined || found === '') {
          throw new UnresolvedReference(field, {
            vi: `biến môi trường ${value.env} chưa được đặt`,
            en: `the environment variable ${value.env} is not set`,
          });
        }
        return found;
      }
      return readSecretFile(resolve(options.sourcesDir, value.file), value.file, field);
    }
    if (Array.isArray(value)) return Promise.all(value.map((item, i) => walk(item, [...path, String(i)])));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) out[key] = await walk(child, [...path, key]);
      return out;
    }
    return value;
  };
  return walk(config, []);
}
