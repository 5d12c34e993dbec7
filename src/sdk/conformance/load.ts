/**
 * Loading what `edubridge adapter test` is pointed at: an adapter module (a folder with index.ts,
 * or a file) and a suite (JSON, or a module whose default export is a suite or a function that
 * starts a test source and returns `{ suite, close }`).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Adapter, isAdapter } from '../adapter.ts';
import { hubError } from '../errors.ts';
import type { ConformanceSuite } from './suite.ts';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** What a package.json says its main module is: `exports["."]` (import or default), else `main`. */
function packageEntry(pkg: { exports?: unknown; main?: unknown }): string | undefined {
  let entry: unknown = pkg.exports;
  if (entry && typeof entry === 'object' && '.' in entry) entry = (entry as Record<string, unknown>)['.'];
  // Conditions, in the order Node picks them for an import.
  for (let depth = 0; entry && typeof entry === 'object' && depth < 4; depth++) {
    const conditions = entry as Record<string, unknown>;
    entry = conditions.import ?? conditions.node ?? conditions.default;
  }
  if (typeof entry === 'string') return entry;
  return typeof pkg.main === 'string' ? pkg.main : undefined;
}

/** The module file of a folder: its package.json's entry, else index.ts, index.js or index.mjs. */
async function moduleOfFolder(dir: string, shown: string): Promise<string> {
  const manifest = join(dir, 'package.json');
  if (await exists(manifest)) {
    let entry: string | undefined;
    try {
      entry = packageEntry(JSON.parse(await readFile(manifest, 'utf8')) as Record<string, unknown>);
    } catch {
      throw hubError('ADAPTER_NOT_FOUND', {
        path: shown,
        reason: { vi: 'package.json không phải JSON hợp lệ', en: 'its package.json is not valid JSON' },
      });
    }
    if (entry) {
      const file = resolve(dir, entry);
      // An entry outside the package is refused: a package names its own files.
      if (!file.startsWith(`${dir}${sep}`) || !(await exists(file))) {
        throw hubError('ADAPTER_NOT_FOUND', {
          path: shown,
          reason: {
            vi: `package.json chỉ tới "${entry}", không có trong gói`,
            en: `its package.json names "${entry}", which the package does not hold`,
          },
        });
      }
      return file;
    }
  }
  for (const name of ['index.ts', 'index.js', 'index.mjs']) {
    if (await exists(join(dir, name))) return join(dir, name);
  }
  throw hubError('ADAPTER_NOT_FOUND', {
    path: shown,
    reason: {
      vi: 'thư mục không có package.json chỉ tới module, cũng không có index.ts',
      en: 'the folder has neither a package.json naming its module nor an index.ts',
    },
  });
}

/**
 * Imports an adapter from a module file, or a folder (a package: its package.json's entry; else
 * its index.ts). `shown` is how errors name it (the path as the person wrote it).
 *
 * @example
 * ```ts
 * const adapter = await loadAdapter('../acme-sis');
 * ```
 */
export async function loadAdapter(path: string, shown = path): Promise<Adapter> {
  let file = resolve(path);
  const found = await stat(file).catch(() => undefined);
  if (!found) {
    throw hubError('ADAPTER_NOT_FOUND', { path: shown, reason: { vi: 'không tìm thấy', en: 'not found' } });
  }
  if (found.isDirectory()) file = await moduleOfFolder(file, shown);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    // A module that fails to load is the vendor's to fix: say so in words, keep the cause for logs.
    const said = (cause as Error)?.message?.split('\n')[0] ?? String(cause);
    throw hubError(
      'ADAPTER_NOT_FOUND',
      {
        path: shown,
        reason: { vi: `không nạp được module (${said})`, en: `the module fails to load: ${said}` },
      },
      { cause },
    );
  }
  const adapter = [module.default, ...Object.values(module)].find(isAdapter);
  if (!adapter) {
    throw hubError('ADAPTER_NOT_FOUND', {
      path: shown,
      reason: {
        vi: 'không xuất adapter tạo bằng defineAdapter',
        en: 'it exports no adapter made with defineAdapter',
      },
    });
  }
  return adapter;
}

/** A suite as `loadSuite` found it, with what stops its test source. */
export interface LoadedSuite {
  /** The suite. */
  suite: ConformanceSuite;
  /** Stops what the suite's module started (a sandbox); does nothing for JSON. */
  close: () => Promise<void>;
}

/**
 * Reads a suite from JSON or from a module (which may start a sandbox and return `close`).
 *
 * @example
 * ```ts
 * const { suite, close } = await loadSuite('suite.json');
 * try { console.log(renderConformanceReport(await runConformance(adapter, suite))); } finally { await close(); }
 * ```
 */
export async function loadSuite(path: string): Promise<LoadedSuite> {
  const file = resolve(path);
  if (!(await exists(file))) {
    throw hubError('SUITE_NOT_FOUND', { path });
  }
  if (extname(file) === '.json') {
    try {
      return { suite: JSON.parse(await readFile(file, 'utf8')) as ConformanceSuite, close: async () => {} };
    } catch (cause) {
      const said = (cause as Error).message;
      throw hubError('SUITE_MALFORMED', {
        path,
        reason: { vi: `không phải JSON hợp lệ (${said})`, en: `not valid JSON: ${said}` },
      });
    }
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  let value = module.default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (value && typeof value === 'object' && 'suite' in value) {
    const loaded = value as { suite: ConformanceSuite; close?: () => Promise<void> };
    return { suite: loaded.suite, close: loaded.close ?? (async () => {}) };
  }
  if (value && typeof value === 'object' && 'config' in value) {
    return { suite: value as ConformanceSuite, close: async () => {} };
  }
  throw hubError('SUITE_MALFORMED', {
    path,
    reason: {
      vi: 'không xuất một bộ kiểm tra (có "config")',
      en: 'it exports no suite (an object with "config")',
    },
  });
}
