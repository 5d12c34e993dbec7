/**
 * Loading what `edubridge adapter test` is pointed at: an adapter module (a folder with index.ts,
 * or a file) and a suite (JSON, or a module whose default export is a suite or a function that
 * starts a test source and returns `{ suite, close }`).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
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

/**
 * Imports an adapter from a folder (its index.ts or index.js) or a module file.
 *
 * @example
 * ```ts
 * const adapter = await loadAdapter('adapters/smas-rest');
 * ```
 */
export async function loadAdapter(path: string): Promise<Adapter> {
  let file = resolve(path);
  if ((await stat(file).catch(() => undefined))?.isDirectory()) {
    const candidates = ['index.ts', 'index.js', 'index.mjs'].map((f) => join(file, f));
    const found = [];
    for (const c of candidates) if (await exists(c)) found.push(c);
    if (!found[0]) {
      throw hubError('ADAPTER_NOT_FOUND', {
        path,
        reason: { vi: 'thư mục không có index.ts', en: 'the folder has no index.ts' },
      });
    }
    file = found[0];
  } else if (!(await exists(file))) {
    throw hubError('ADAPTER_NOT_FOUND', { path, reason: { vi: 'không tìm thấy', en: 'not found' } });
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const adapter = [module.default, ...Object.values(module)].find(isAdapter);
  if (!adapter) {
    throw hubError('ADAPTER_NOT_FOUND', {
      path,
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
