/**
 * The sources file: adapters by reference (built-in id, module path, installed package), secrets
 * by reference, and every problem named with the school, the adapter and the field.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ADAPTERS, loadBuiltInAdapter } from '../adapters/index.ts';
import {
  createAdapterCatalogue,
  loadSources,
  requireSource,
  sourcesLoader,
} from '../src/pipeline/sources/index.ts';
import { SDK_VERSION, sdkCompatible } from '../src/sdk/version.ts';

const dir = mkdtempSync(join(tmpdir(), 'edubridge-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SDK = pathToFileURL(join(import.meta.dirname, '..', 'src', 'sdk', 'index.ts')).href;
const catalogue = () =>
  createAdapterCatalogue(
    Object.fromEntries(BUILT_IN_ADAPTERS.map((id) => [id, () => loadBuiltInAdapter(id)])),
  );

/** An adapter module as a vendor writes one, with a config schema of its own. */
function adapterModule(id: string, extra = ''): string {
  return `import { z } from 'zod';
import { defineAdapter, secret } from '${SDK}';
export default defineAdapter({
  id: '${id}', name: '${id}', version: '0.3.1', ${extra}
  configSchema: z.object({ baseUrl: z.url(), token: secret(z.string().min(8)) }),
  streams: { students: { primaryKey: ['key'], incremental: false } },
  async check() { return { ok: true }; },
  async discover() { return { streams: [{ name: 'students' }] }; },
  async *read() {},
});
`;
}

function sourcesFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

// Adapter modules live beside the repository's node_modules (zod resolves from there), in a
// folder of their own under test/, removed afterwards.
const modules = mkdtempSync(join(import.meta.dirname, '.sources-'));
afterAll(() => rmSync(modules, { recursive: true, force: true }));
mkdirSync(join(modules, 'smas'));
writeFileSync(join(modules, 'smas', 'index.ts'), adapterModule('smas-rest'));
mkdirSync(join(modules, 'node_modules', 'edubridge-adapter-vnedu'), { recursive: true });
writeFileSync(
  join(modules, 'node_modules', 'edubridge-adapter-vnedu', 'package.json'),
  JSON.stringify({
    name: 'edubridge-adapter-vnedu',
    type: 'module',
    exports: { '.': { import: './main.ts' } },
  }),
);
writeFileSync(join(modules, 'node_modules', 'edubridge-adapter-vnedu', 'main.ts'), adapterModule('vnedu'));
writeFileSync(join(modules, 'future.ts'), adapterModule('future', "sdkVersion: '2.0.0',"));
writeFileSync(join(modules, 'broken.ts'), 'export default {};\n');
writeFileSync(join(modules, 'token.txt'), 'file-token-123\n');

describe('adapters by reference', () => {
  it('loads a built-in id, a module path relative to the file and an installed package, by their own ids', async () => {
    const path = join(modules, 'sources.json');
    writeFileSync(
      path,
      JSON.stringify({
        $schema: '../schemas/sources.schema.json',
        '79NB0001': { adapter: 'rest', config: { baseUrl: 'http://school.test', profile: 'sandbox-school' } },
        '79NB0002': {
          adapter: './smas',
          name: 'THCS Nguyễn Bình Khiêm',
          config: { baseUrl: 'http://smas.test', token: { env: 'SMAS_TOKEN' } },
        },
        '79NB0003': {
          adapter: 'edubridge-adapter-vnedu',
          config: { baseUrl: 'http://vnedu.test', token: { file: 'token.txt' } },
        },
      }),
    );
    const sources = await loadSources(path, { adapters: catalogue(), env: { SMAS_TOKEN: 'env-token-123' } });
    expect(Object.keys(sources)).toEqual(['79NB0001', '79NB0002', '79NB0003']);
    expect(sources['79NB0001']).toMatchObject({
      adapter: 'rest',
      specifier: 'rest',
      sdkVersion: SDK_VERSION,
    });
    expect(sources['79NB0002']).toMatchObject({
      adapter: 'smas-rest',
      reference: './smas',
      adapterVersion: '0.3.1',
      name: 'THCS Nguyễn Bình Khiêm',
      config: { baseUrl: 'http://smas.test', token: 'env-token-123' },
      referenced: ['token'],
      secretFields: ['token'],
    });
    expect(sources['79NB0002']!.specifier).toBe(join(modules, 'smas'));
    // The file's content without its final line break.
    expect(sources['79NB0003']).toMatchObject({ adapter: 'vnedu', config: { token: 'file-token-123' } });
    for (const s of Object.values(sources)) expect(s.problem).toBeUndefined();
  });

  it('refuses an adapter built for another SDK major, naming both versions and the school', async () => {
    const path = join(modules, 'future.json');
    writeFileSync(
      path,
      JSON.stringify({
        '79NB0009': { adapter: './future.ts', config: { baseUrl: 'http://x.test', token: '12345678' } },
      }),
    );
    const sources = await loadSources(path, { adapters: catalogue() });
    const problem = sources['79NB0009']!.problem!;
    expect(problem.code).toBe('SOURCE_ADAPTER_INCOMPATIBLE');
    expect(problem.message).toContain('79NB0009');
    expect(problem.message).toContain('2.0.0');
    expect(problem.message).toContain(SDK_VERSION);
    expect(() => requireSource(sources, '79NB0009')).toThrow(problem);
  });

  it('names the school, the adapter and the field of a config the adapter refuses, without its values', async () => {
    const path = join(modules, 'bad-config.json');
    writeFileSync(
      path,
      JSON.stringify({
        '79NB0002': { adapter: './smas', config: { baseUrl: 'not a url', token: 'short' } },
        '79NB0001': { adapter: 'rest', config: { baseUrl: 'http://school.test', profile: 'sandbox-school' } },
      }),
    );
    const sources = await loadSources(path, { adapters: catalogue() });
    const problem = sources['79NB0002']!.problem!;
    expect(problem.code).toBe('SOURCE_CONFIG_INVALID');
    expect(problem.message).toMatch(/79NB0002.*smas-rest.*baseUrl/);
    expect(problem.message).toContain('token');
    expect(problem.message).not.toContain('short');
    // One school's mistake leaves the others usable.
    expect(sources['79NB0001']!.problem).toBeUndefined();
  });

  it('names the variable of an unset environment reference and the file of an unreadable one', async () => {
    const path = join(modules, 'refs.json');
    writeFileSync(
      path,
      JSON.stringify({
        '79NB0002': {
          adapter: './smas',
          config: { baseUrl: 'http://smas.test', token: { env: 'NOT_SET_ANYWHERE' } },
        },
        '79NB0003': {
          adapter: './smas',
          config: { baseUrl: 'http://smas.test', token: { file: 'missing.txt' } },
        },
      }),
    );
    const sources = await loadSources(path, { adapters: catalogue(), env: {} });
    expect(sources['79NB0002']!.problem!.code).toBe('SOURCE_SECRET_UNRESOLVED');
    expect(sources['79NB0002']!.problem!.message).toMatch(/79NB0002.*smas-rest.*token.*NOT_SET_ANYWHERE/);
    expect(sources['79NB0003']!.problem!.message).toMatch(/79NB0003.*token.*missing\.txt/);
  });

  it('says what is wrong with a reference that names nothing loadable', async () => {
    const path = join(modules, 'missing.json');
    writeFileSync(
      path,
      JSON.stringify({
        A1: { adapter: './nowhere', config: {} },
        A2: { adapter: 'edubridge-adapter-not-installed', config: {} },
        A3: { adapter: './broken.ts', config: {} },
      }),
    );
    const sources = await loadSources(path, { adapters: catalogue() });
    expect(sources.A1!.problem!.code).toBe('SOURCE_ADAPTER_UNAVAILABLE');
    expect(sources.A1!.problem!.message).toContain('./nowhere');
    expect(sources.A2!.problem!.message).toMatch(/not a built-in adapter \(excel, rest, soap, oneroster\)/);
    expect(sources.A3!.problem!.code).toBe('ADAPTER_NOT_FOUND');
    expect(sources.A3!.problem!.message).toMatch(/School A3: .*defineAdapter/);
  });

  it('checks only the schools asked for when told to', async () => {
    const path = join(modules, 'bad-config.json');
    const sources = await loadSources(path, { adapters: catalogue(), only: ['79NB0001'] });
    expect(sources['79NB0002']!.problem).toBeUndefined();
    expect(sources['79NB0002']!.adapter).toBe('./smas');
  });
});

describe('the file checked against schemas/sources.schema.json', () => {
  it('names every wrong place in both languages', async () => {
    const path = sourcesFile('malformed.json', {
      'bad code!': { adapter: 'rest' },
      '79NB0001': { adapter: 'Not An Adapter!' },
      '79NB0002': { adapter: 'rest', extra: true },
      '79NB0003': { config: {} },
    });
    const error = await loadSources(path).catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: 'SOURCES_MALFORMED' });
    const message = (error as Error).message;
    expect(message).toContain('bad code!: not a valid school code');
    expect(message).toContain('79NB0001 › adapter: not a built-in adapter id, a path');
    expect(message).toContain('79NB0002: unknown key(s) extra');
    expect(message).toContain('79NB0003 › adapter: "adapter" is missing');
    expect(message).toContain('mã trường không hợp lệ');
  });

  it('refuses a file that is not JSON, saying so', async () => {
    const error = await loadSources(sourcesFile('text.json', '{ "a": ')).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'SOURCES_MALFORMED' });
    expect((error as Error).message).toContain('not valid JSON');
  });

  it('reads a file without a catalogue as before: the reference is the adapter', async () => {
    const path = sourcesFile('plain.json', { '79NB0001': { adapter: 'excel', config: { path: 'x.xlsx' } } });
    expect(await loadSources(path)).toEqual({
      '79NB0001': {
        adapter: 'excel',
        reference: 'excel',
        specifier: 'excel',
        config: { path: 'x.xlsx' },
        referenced: [],
      },
    });
  });
});

describe('SDK compatibility', () => {
  it('takes the same major with a minor no newer than the hub’s', () => {
    expect(sdkCompatible('1.0.0', '1.2.0')).toBe(true);
    expect(sdkCompatible('1.2.5', '1.2.0')).toBe(true);
    expect(sdkCompatible('1.3.0', '1.2.0')).toBe(false);
    expect(sdkCompatible('2.0.0', '1.2.0')).toBe(false);
    expect(sdkCompatible('0.9.0', '1.2.0')).toBe(false);
    expect(sdkCompatible('one', '1.2.0')).toBe(false);
  });
});

describe('sourcesLoader', () => {
  it('answers from memory within its time, then reads the file again', async () => {
    const path = sourcesFile('ttl.json', { '79NB0001': { adapter: 'rest', config: {} } });
    const sources = sourcesLoader(path, () => ({}), 200);
    const first = await sources();
    writeFileSync(path, JSON.stringify({ '79NB0002': { adapter: 'excel', config: {} } }));
    expect(await sources()).toBe(first);
    await new Promise((r) => setTimeout(r, 250));
    expect(Object.keys(await sources())).toEqual(['79NB0002']);
  });

  it('does not keep a failed read', async () => {
    const path = join(dir, 'appears-later.json');
    const sources = sourcesLoader(path, () => ({}), 60_000);
    await expect(sources()).rejects.toMatchObject({ code: 'SOURCES_NOT_FOUND' });
    writeFileSync(path, JSON.stringify({ '79NB0003': { adapter: 'soap', config: {} } }));
    expect(Object.keys(await sources())).toEqual(['79NB0003']);
  });
});
