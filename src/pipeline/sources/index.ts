/**
 * Which adapter reads each school's software, with its config: the sources file (`SOURCES_FILE`,
 * its shape in `schemas/sources.schema.json`). The adapter is a built-in id, a path to a module
 * relative to the file, or an installed npm package's name; config values may be references to
 * environment variables or files (`{"env": …}`, `{"file": …}`), which is how secrets are given.
 *
 * With a catalogue (the processes that run adapters: serve, worker, sync), loading the file also
 * loads each school's adapter, checks the SDK it was built for and parses the school's config with
 * the adapter's own schema, so a mistake shows at start with the school, the adapter and the field
 * named. A school with such a problem keeps it in `problem`; the other schools are unaffected.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Adapter } from '../../sdk/adapter.ts';
import { secretFields } from '../../sdk/config.ts';
import { AdapterError, hubError, PermanentError } from '../../sdk/errors.ts';
import { type AdapterCatalogue, incompatibility, resolveAdapterReference } from './adapters.ts';
import { describeIssue, sourcesFileSchema } from './file-schema.ts';
import { resolveReferences, UnresolvedReference } from './references.ts';

export { type AdapterCatalogue, createAdapterCatalogue } from './adapters.ts';
export { sourcesFileSchema, sourcesJsonSchema } from './file-schema.ts';

/** A sources file is a district's schools: a few hundred entries, never megabytes. */
const MAX_SOURCES_FILE_BYTES = 4 * 1024 * 1024;

export interface SchoolSource {
  /**
   * The adapter's own id once loaded (what runs, checkpoints and vendor keys name); without a
   * catalogue, the reference as written (a built-in id in practice).
   */
  adapter: string;
  /** The school's config, references resolved; the adapter's schema parses it before each use. */
  config: unknown;
  /** The adapter as the file names it. */
  reference?: string;
  /** What the catalogue loads: the built-in id, or the module's or package's absolute path. */
  specifier?: string;
  /** The school's name, when the file gives one. */
  name?: string;
  /** The loaded adapter's version and the SDK it was built for. */
  adapterVersion?: string;
  sdkVersion?: string;
  /** Config fields given by reference (`{"env"}` / `{"file"}`), dotted. */
  referenced?: string[];
  /** Config fields the adapter marks secret (`secret()`), dotted. */
  secretFields?: string[];
  /** Why this school cannot sync as configured, found when the file was loaded. */
  problem?: AdapterError;
}
export type Sources = Record<string, SchoolSource>;

export interface LoadSourcesOptions {
  /** Load each school's adapter and check its config; without it only the file's shape is checked. */
  adapters?: AdapterCatalogue;
  /** Where `{"env": …}` references are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Check only these schools' adapters and configs (the others are read, not loaded). */
  only?: readonly string[];
}

/** The school's source, ready to use: throws when the school has none or its source has a problem. */
export function requireSource(sources: Sources, school: string): SchoolSource {
  const source = sources[school];
  if (!source) throw hubError('SCHOOL_NOT_CONFIGURED', { school });
  if (source.problem) throw source.problem;
  return source;
}

/** An error about an adapter, said of the school that names it. */
function ofSchool(error: AdapterError, school: string): AdapterError {
  return new PermanentError(error.code, `Trường ${school} / School ${school}: ${error.message}`, {
    cause: error,
  });
}

async function readSourcesFile(path: string): Promise<unknown> {
  const size = (await stat(path).catch(() => undefined))?.size;
  if (size === undefined) throw hubError('SOURCES_NOT_FOUND', { path });
  if (size > MAX_SOURCES_FILE_BYTES) {
    throw hubError('SOURCES_MALFORMED', {
      path,
      reason: { vi: 'tệp lớn hơn 4 MiB', en: 'the file is over 4 MiB' },
    });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw hubError('SOURCES_NOT_FOUND', { path });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    const said = (cause as Error).message;
    throw hubError('SOURCES_MALFORMED', {
      path,
      reason: { vi: `không phải JSON hợp lệ (${said})`, en: `not valid JSON: ${said}` },
    });
  }
}

/** Checks the file's shape against the JSON Schema; every place that is wrong is named at once. */
function checkShape(path: string, json: unknown): Record<string, RawSource> {
  const schema = sourcesFileSchema();
  let parsed = schema.safeParse(json);
  const issues = parsed.success ? [] : [...parsed.error.issues];
  // A wrong school code stops zod at the key: check the rest of the file without it, so that
  // every wrong place is named at once.
  for (let round = 0; !parsed.success && round < 3 && json && typeof json === 'object'; round++) {
    const badKeys = parsed.error.issues.filter((i) => i.code === 'invalid_key').map((i) => i.path[0]);
    if (badKeys.length === 0) break;
    json = Object.fromEntries(Object.entries(json).filter(([key]) => !badKeys.includes(key)));
    parsed = schema.safeParse(json);
    if (!parsed.success) issues.push(...parsed.error.issues.filter((i) => i.code !== 'invalid_key'));
  }
  if (issues.length > 0) {
    const described = issues.slice(0, 10).map(describeIssue);
    const more = issues.length - described.length;
    const tail = more > 0 ? { vi: `; và ${more} chỗ khác`, en: `; and ${more} more` } : { vi: '', en: '' };
    throw hubError('SOURCES_MALFORMED', {
      path,
      reason: {
        vi: described.map((i) => i.vi).join('; ') + tail.vi,
        en: described.map((i) => i.en).join('; ') + tail.en,
      },
    });
  }
  const data = (parsed as { data: unknown }).data as Record<string, unknown>;
  return Object.fromEntries(Object.entries(data).filter(([key]) => key !== '$schema')) as Record<
    string,
    RawSource
  >;
}

interface RawSource {
  adapter: string;
  config?: unknown;
  name?: string;
}

/** One school's entry, its adapter loaded and its config checked when a catalogue is given. */
async function loadSchool(
  school: string,
  raw: RawSource,
  options: LoadSourcesOptions & { sourcesDir: string; check: boolean },
): Promise<SchoolSource> {
  const source: SchoolSource = {
    adapter: raw.adapter,
    config: raw.config ?? {},
    reference: raw.adapter,
    specifier: raw.adapter,
    ...(raw.name ? { name: raw.name } : {}),
  };
  const catalogue = options.adapters;
  let adapter: Adapter | undefined;
  try {
    if (catalogue) {
      const resolved = await resolveAdapterReference(raw.adapter, {
        sourcesDir: options.sourcesDir,
        builtIns: catalogue.builtIns,
      });
      if ('problem' in resolved) {
        throw hubError('SOURCE_ADAPTER_UNAVAILABLE', {
          school,
          adapter: raw.adapter,
          reason: resolved.problem,
        });
      }
      source.specifier = resolved.specifier;
      if (options.check) {
        adapter = await catalogue.load(resolved.specifier, raw.adapter).catch((error: unknown) => {
          throw error instanceof AdapterError ? ofSchool(error, school) : error;
        });
        source.adapter = adapter.id;
        source.adapterVersion = adapter.version;
        if (adapter.sdkVersion) source.sdkVersion = adapter.sdkVersion;
        const refused = incompatibility(adapter, school);
        if (refused) throw refused;
      }
    }
    const referenced = new Set<string>();
    try {
      source.config = await resolveReferences(raw.config ?? {}, {
        sourcesDir: options.sourcesDir,
        references: referenced,
        ...(options.env ? { env: options.env } : {}),
      });
    } catch (error) {
      if (!(error instanceof UnresolvedReference)) throw error;
      throw hubError('SOURCE_SECRET_UNRESOLVED', {
        school,
        adapter: source.adapter,
        field: error.field,
        reason: error.reason,
      });
    }
    source.referenced = [...referenced];
    if (adapter) {
      source.secretFields = secretFields(adapter.configSchema);
      const parsed = adapter.configSchema.safeParse(source.config);
      if (!parsed.success) {
        // Names and expectations only: a value may be a secret.
        const fields = parsed.error.issues
          .slice(0, 10)
          .map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`)
          .join('; ');
        throw hubError('SOURCE_CONFIG_INVALID', {
          school,
          adapter: adapter.id,
          issues: { vi: `config › ${fields}`, en: `config › ${fields}` },
        });
      }
    }
  } catch (error) {
    if (!(error instanceof AdapterError)) throw error;
    source.problem = error;
  }
  return source;
}

/**
 * Reads and checks the sources file. Throws `SOURCES_NOT_FOUND` or `SOURCES_MALFORMED` when the
 * file itself cannot be used; a problem of one school's adapter or config is kept in its entry.
 */
export async function loadSources(path: string, options: LoadSourcesOptions = {}): Promise<Sources> {
  const raw = checkShape(path, await readSourcesFile(path));
  const sourcesDir = dirname(resolve(path));
  const entries = await Promise.all(
    Object.entries(raw).map(
      async ([school, entry]) =>
        [
          school,
          await loadSchool(school, entry, {
            ...options,
            sourcesDir,
            check: options.only === undefined || options.only.includes(school),
          }),
        ] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/**
 * `loadSources` for a long-lived process, answered from memory for `ttlMs`: a district request
 * asks once per school, and each load reads the file, resolves references and parses every
 * school's config. An edit to the file, or a rotated secret, is seen within `ttlMs`.
 */
export function sourcesLoader(
  path: string,
  options: () => LoadSourcesOptions,
  ttlMs = 5_000,
): () => Promise<Sources> {
  let cached: { at: number; sources: Promise<Sources> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) {
      const sources = loadSources(path, options());
      // A failed load is not kept: the next call reads the file again.
      sources.catch(() => {
        if (cached?.sources === sources) cached = undefined;
      });
      cached = { at: now, sources };
    }
    return cached.sources;
  };
}
