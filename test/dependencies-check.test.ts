/**
 * `npm run deps-check` (scripts/check-dependencies.mjs): every package that ships with the hub is in
 * the reviewed list with a permissive licence, or named in the exceptions with a reason. Fed small
 * lockfiles of its own; and the repository's own tree must pass.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  checkPackages,
  type Exceptions,
  isPermissive,
  type KnownList,
  main,
  productionPackages,
} from '../scripts/check-dependencies.mjs';

/** A lockfile v3 as npm 11 writes it: the root, then one entry per installed path. */
function lockfile(packages: Record<string, Record<string, unknown>>) {
  return {
    name: 'edubridge',
    version: '0.1.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'edubridge', version: '0.1.0', license: 'UNLICENSED', dependencies: {} },
      ...packages,
    },
  };
}

const TREE = lockfile({
  'node_modules/fastify': { version: '5.12.8', license: 'MIT' },
  'node_modules/pino': { version: '10.4.0', license: 'MIT' },
  'node_modules/sax': { version: '1.4.1', license: 'BlueOak-1.0.0' },
  'node_modules/jszip': { version: '3.10.1', license: '(MIT OR GPL-3.0-or-later)' },
  // Only devDependencies reach it: it does not ship.
  'node_modules/vitest': { version: '4.1.12', dev: true, license: 'MIT' },
  'node_modules/@esbuild/win32-x64': { version: '0.28.2', dev: true, optional: true, license: 'MIT' },
  // A devDependency *and* an optional dependency of a shipped package: `npm ci --omit=dev` keeps it.
  'node_modules/detect-libc': { version: '2.1.2', devOptional: true, license: 'Apache-2.0' },
  // A second version further down the tree.
  'node_modules/fastify/node_modules/pino': { version: '9.14.0', license: 'MIT' },
});

const KNOWN: KnownList = {
  fastify: 'MIT',
  pino: 'MIT',
  sax: 'BlueOak-1.0.0',
  jszip: '(MIT OR GPL-3.0-or-later)',
  'detect-libc': 'Apache-2.0',
};

describe('which packages ship', () => {
  test('every entry not marked dev, devOptional included, one row per name and version', () => {
    const shipped = productionPackages(TREE).map((p) => `${p.name}@${p.version}${p.optional ? '?' : ''}`);

    expect(shipped).toEqual([
      'detect-libc@2.1.2?',
      'fastify@5.12.8',
      'jszip@3.10.1',
      'pino@9.14.0',
      'pino@10.4.0',
      'sax@1.4.1',
    ]);
  });

  test('a licence the lockfile lacks is read from the installed package.json, old `licenses` form too', () => {
    const tree = lockfile({
      'node_modules/rechoir': { version: '0.6.2' },
      'node_modules/buffers': { version: '0.1.1' },
    });
    const manifests: Record<string, object> = {
      'node_modules/rechoir': { licenses: [{ type: 'MIT', url: 'https://example.invalid/LICENSE' }] },
      'node_modules/buffers': {},
    };

    const shipped = productionPackages(tree, (path) => manifests[path]);

    expect(shipped.map((p) => [p.name, p.licence])).toEqual([
      ['buffers', 'NOASSERTION'],
      ['rechoir', 'MIT'],
    ]);
  });

  test('a lockfile without "packages" (v1) cannot be checked', () => {
    expect(() => productionPackages({ lockfileVersion: 1, dependencies: {} })).toThrow(/lockfileVersion 2/);
  });
});

describe('the rules', () => {
  test('listed and permissive: passes', () => {
    expect(checkPackages(productionPackages(TREE), KNOWN, {})).toEqual({ errors: [], warnings: [] });
  });

  test('a package not in the reviewed list fails, naming it and the rule', () => {
    const tree = lockfile({
      ...TREE.packages,
      'node_modules/left-pad': { version: '1.3.0', license: 'WTFPL' },
      'node_modules/is-odd': { version: '3.0.1', license: 'MIT' },
    });

    const { errors } = checkPackages(productionPackages(tree), KNOWN, {});

    expect(errors.map((e) => [e.rule, e.name])).toEqual([
      ['DEP_UNKNOWN', 'is-odd'],
      ['DEP_UNKNOWN', 'left-pad'],
      ['DEP_LICENCE_NOT_PERMISSIVE', 'left-pad'],
    ]);
    expect(errors[0]!.message).toBe(
      '[DEP_UNKNOWN] is-odd@3.0.1 (MIT) không có trong danh sách thư viện đã duyệt / is not in the reviewed list',
    );
  });

  test('a GPL-3.0 package fails even when listed, unless the exceptions name it with that licence', () => {
    const tree = lockfile({
      ...TREE.packages,
      'node_modules/node-gpl-lib': { version: '2.0.0', license: 'GPL-3.0-only' },
    });
    const known = { ...KNOWN, 'node-gpl-lib': 'GPL-3.0-only' };
    const packages = productionPackages(tree);

    const refused = checkPackages(packages, known, {});
    const excepted: Exceptions = {
      'node-gpl-lib': { licence: 'GPL-3.0-only', reason: 'runs as a separate process, reviewed' },
    };
    const otherLicence: Exceptions = { 'node-gpl-lib': { licence: 'LGPL-2.1', reason: 'an older review' } };

    expect(refused.errors.map((e) => [e.rule, e.name, e.licence])).toEqual([
      ['DEP_LICENCE_NOT_PERMISSIVE', 'node-gpl-lib', 'GPL-3.0-only'],
    ]);
    expect(checkPackages(packages, known, excepted).errors).toEqual([]);
    expect(checkPackages(packages, known, otherLicence).errors.map((e) => e.rule)).toEqual([
      'DEP_LICENCE_NOT_PERMISSIVE',
    ]);
  });

  test('a licence that changed since the review fails', () => {
    const tree = lockfile({ ...TREE.packages, 'node_modules/sax': { version: '2.0.0', license: 'ISC' } });

    const { errors } = checkPackages(productionPackages(tree), KNOWN, {});

    expect(errors.map((e) => [e.rule, e.name, e.licence])).toEqual([['DEP_LICENCE_CHANGED', 'sax', 'ISC']]);
  });

  test('no licence at all fails as missing, unless excepted', () => {
    const tree = lockfile({ 'node_modules/buffers': { version: '0.1.1' } });
    const packages = productionPackages(tree);
    const known = { buffers: 'NOASSERTION' };

    expect(checkPackages(packages, known, {}).errors.map((e) => e.rule)).toEqual(['DEP_LICENCE_MISSING']);
    expect(
      checkPackages(packages, known, { buffers: { licence: 'NOASSERTION', reason: 'MIT in its repository' } })
        .errors,
    ).toEqual([]);
  });

  test('entries no longer in the tree, and exceptions no longer used, are warned of', () => {
    const { errors, warnings } = checkPackages(
      productionPackages(TREE),
      { ...KNOWN, request: 'Apache-2.0' },
      { chainsaw: { licence: 'MIT/X11', reason: 'gone' } },
    );

    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('request'), expect.stringContaining('chainsaw')]);
  });

  test.each([
    ['MIT', true],
    ['Apache-2.0', true],
    ['(MIT OR GPL-3.0-or-later)', true],
    ['(MIT AND Zlib)', true],
    ['BSD-3-Clause OR MIT', true],
    ['Apache-2.0+', true],
    ['GPL-3.0-only', false],
    ['AGPL-3.0-or-later', false],
    ['(MIT AND GPL-2.0-only)', false],
    ['LGPL-2.1-or-later OR MPL-2.0', false],
    ['GPL-2.0-only WITH Classpath-exception-2.0', false],
    ['MIT/X11', false],
    ['SEE LICENSE IN LICENSE.md', false],
    ['(MIT', false],
    ['NOASSERTION', false],
  ])('%s is permissive: %s', (expression, permissive) => {
    expect(isPermissive(expression)).toBe(permissive);
  });
});

describe('npm run deps-check', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const run = (argv: string[], root: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { root, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  test('a new dependency fails until --write lists it; the table and summary name every package', async () => {
    dir = await mkdtemp(join(tmpdir(), 'edubridge-deps-'));
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify(TREE));
    await writeFile(join(dir, 'dependencies.json'), JSON.stringify({ packages: { ...KNOWN } }));
    expect(run([], dir).code).toBe(0);

    const added = lockfile({
      ...TREE.packages,
      'node_modules/@fastify/helmet': { version: '13.0.2', license: 'MIT' },
    });
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify(added));
    const refused = run(['--quiet'], dir);
    const written = run(['--write'], dir);
    const again = run([], dir);

    expect(refused.code).toBe(1);
    expect(refused.err).toContain('[DEP_UNKNOWN] @fastify/helmet@13.0.2 (MIT)');
    expect(refused.err).toContain('npm run deps-check -- --write');
    expect(refused.out).not.toContain('fastify@'); // --quiet: no table
    expect(written.code).toBe(0);
    expect(written.out).toContain('1 thêm / added (@fastify/helmet)');
    const list = JSON.parse(await readFile(join(dir, 'dependencies.json'), 'utf8')) as {
      packages: KnownList;
    };
    expect(list.packages['@fastify/helmet']).toBe('MIT');
    expect(list.packages.pino).toBe('MIT');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^@fastify\/helmet +13\.0\.2 +MIT$/m);
    expect(again.out).toMatch(/^detect-libc +2\.1\.2 +Apache-2\.0 +optional$/m);
    expect(again.out.split('\n').at(-1)).toBe(
      'deps-check: 7 thư viện production / production packages (6 names); MIT 4, (MIT OR GPL-3.0-or-later) 1, Apache-2.0 1, BlueOak-1.0.0 1; 0 ngoại lệ / exceptions; 0 lỗi / errors',
    );
  });

  test('--write does not bless a licence outside the permissive set', async () => {
    dir = await mkdtemp(join(tmpdir(), 'edubridge-deps-'));
    const tree = lockfile({ 'node_modules/gpl-thing': { version: '1.0.0', license: 'GPL-3.0-or-later' } });
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify(tree));

    const written = run(['--write', '--quiet'], dir);

    expect(written.code).toBe(1);
    expect(written.err).toContain('[DEP_LICENCE_NOT_PERMISSIVE] gpl-thing@1.0.0 (GPL-3.0-or-later)');
  });

  test('the repository’s own production tree is known and permissive', () => {
    const result = run(['--quiet'], join(import.meta.dirname, '..'));

    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  });
});
