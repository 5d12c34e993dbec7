/**
 * The vendor's tools as a vendor runs them: `edubridge adapter test` on an adapter module with a
 * suite file, and `edubridge adapter new` producing a folder whose own conformance test passes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
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
  const id = `zz-scaffold-${process.pid}`;
  const dir = join(ROOT, 'adapters', id);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an adapter whose conformance test passes as generated', () => {
    const made = run(['adapter', 'new', id]);
    expect(made.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'fixtures', 'index.ts', `${id}.test.ts`].sort());
    const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const test = spawnSync(process.execPath, [vitest, 'run', `adapters/${id}`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(test.stdout + test.stderr).toMatch(/1 passed/);
    expect(test.status).toBe(0);
  }, 90_000);

  it('refuses to overwrite a folder and a bad id, in one line', () => {
    const again = run(['adapter', 'new', 'excel', '--dir', 'fixtures/kit']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
    const bad = run(['adapter', 'new', 'Bad_Id']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('lower-case');
  });
});
