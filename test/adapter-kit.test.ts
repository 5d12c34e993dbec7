/**
 * The vendor's tools as a vendor runs them: `edubridge adapter test` on an adapter module with a
 * suite file, and `edubridge adapter new` producing, outside the repository, a package that installs
 * offline and whose own `npm test` passes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'edubridge.js');
const run = (args: string[], cwd = ROOT) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

describe('edubridge adapter test', () => {
  it('passes a conforming adapter and prints the JSON report', () => {
    const r = run([
      'adapter',
      'test',
      'fixtures/kit/static-adapter.ts',
      '--config',
      'fixtures/kit/suite.json',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      failed: number;
      passed: number;
      checks: Array<{ id: string; status: string }>;
    };
    expect(report.failed).toBe(0);
    expect(report.checks.find((c) => c.id === 'references')?.status).toBe('passed');
    expect(report.checks.find((c) => c.id === 'check-refused')?.status).toBe('passed');
  });

  it('exits 1 when a reference input does not produce its expected problems', () => {
    const r = run([
      'adapter',
      'test',
      'fixtures/kit/static-adapter.ts',
      '--config',
      'fixtures/kit/suite-wrong-expectation.json',
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('✗ Đầu vào tham chiếu');
    expect(r.stdout).toMatch(/unexpected DATE_UNPARSEABLE at .*id HS3/);
  });

  it('says in one line that a path holds no adapter', () => {
    const r = run(['adapter', 'test', 'fixtures/kit/students.json', '--config', 'fixtures/kit/suite.json']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('edubridge adapter new', () => {
  // Outside the repository, as a vendor works: nothing of the hub's own tree is on its path.
  const outside = mkdtempSync(join(tmpdir(), 'edubridge-vendor-'));
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  it('writes a package that installs offline and whose own npm test passes as generated', () => {
    const dir = join(outside, 'acme-sis');
    const made = run(['adapter', 'new', 'acme-sis', '--dir', dir]);
    expect(made.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(
      ['README.md', 'conformance.suite.ts', 'fixtures', 'index.ts', 'package.json', 'tsconfig.json'].sort(),
    );
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    // The hub is linked by a path relative to the package, and is a peer for whoever installs it.
    expect(manifest.devDependencies.edubridge).toMatch(/^file:\.\.\//);
    expect(manifest.peerDependencies).toEqual({ edubridge: '>=0.1.0' });
    // Only the public entry points, never the hub's files.
    const source =
      readFileSync(join(dir, 'index.ts'), 'utf8') + readFileSync(join(dir, 'conformance.suite.ts'), 'utf8');
    expect(source.match(/from '[^']+'/g)?.sort()).toEqual(["from 'edubridge/kit'", "from 'edubridge/sdk'"]);
    const npm = (args: string[]) =>
      spawnSync('npm', args, {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
      });
    const install = npm(['install', '--offline']);
    expect(install.status, install.stderr).toBe(0);
    const test = npm(['test']);
    expect(test.stdout).toMatch(/13 đạt \/ passed, 0 không đạt \/ failed/);
    expect(test.status, test.stderr).toBe(0);
  }, 180_000);

  it('refuses to overwrite a folder and a bad id, in one line', () => {
    const again = run(['adapter', 'new', 'excel', '--dir', 'fixtures/kit']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
    const bad = run(['adapter', 'new', 'Bad_Id']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('lower-case');
  });
});
