/**
 * The vendor's path, end to end, as docs/adapters.md tells it, in a folder outside the repository:
 * scaffold an adapter, make its tests pass, point a sources file at it, check it, read through it,
 * and sync a school of `edubridge sandbox serve` into the city simulator, with no other step and no
 * change to the hub.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/services.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'edubridge.js');
const outside = mkdtempSync(join(tmpdir(), 'edubridge-vendor-path-'));
const PACKAGE = join(outside, 'acme-sis');

let sandbox: ChildProcess;
let env: Record<string, string>;
let school: string;

const hub = (args: string[], extra: Record<string, string> = {}, cwd = PACKAGE) =>
  spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    // The sandbox's env file loaded into the shell, as the README says (`set -a; . ./sandbox.env`).
    env: { ...process.env, ...env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...extra },
  });

beforeAll(async () => {
  sandbox = spawn(
    process.execPath,
    [BIN, 'sandbox', 'serve', '--schools', '1', '--env-out', join(outside, 'sandbox.env')],
    { cwd: outside, stdio: 'ignore' },
  );
  await waitFor(
    'the sandbox env file',
    () => (existsSync(join(outside, 'sandbox.env')) ? true : undefined),
    90_000,
    200,
  );
  env = parseDotenv(readFileSync(join(outside, 'sandbox.env'), 'utf8'));
  school = env.SANDBOX_SCHOOL_CODES!.split(',')[0]!;
}, 120_000);

afterAll(async () => {
  if (sandbox && sandbox.exitCode === null) {
    const exited = new Promise((r) => sandbox.once('exit', r));
    sandbox.kill('SIGTERM');
    await exited;
  }
  rmSync(outside, { recursive: true, force: true });
});

describe('a vendor’s adapter from scaffold to the city', () => {
  it('scaffolds a package that installs offline and passes its own tests', () => {
    const made = hub(['adapter', 'new', 'acme-sis', '--dir', PACKAGE], {}, outside);
    expect(made.status, made.stderr).toBe(0);
    const npm = (args: string[]) =>
      spawnSync('npm', args, { cwd: PACKAGE, encoding: 'utf8', timeout: 120_000 });
    const install = npm(['install', '--offline', '--no-audit', '--no-fund']);
    expect(install.status, install.stderr).toBe(0);
    const test = npm(['test']);
    expect(test.status, test.stdout + test.stderr).toBe(0);
  }, 180_000);

  it('is checked, read and synced into the city simulator from a sources file beside it', () => {
    // The sources file names the package's own folder; the key and the URL by reference.
    writeFileSync(
      join(PACKAGE, 'edubridge.sources.json'),
      JSON.stringify({
        $schema: join(ROOT, 'schemas', 'sources.schema.json'),
        [school]: {
          adapter: './',
          config: {
            baseUrl: { env: 'SANDBOX_REST_SCHOOL_URL' },
            apiKey: { env: 'SANDBOX_VENDOR_API_KEY' },
            schoolCode: school,
          },
        },
      }),
    );
    const sourcesEnv = { SOURCES_FILE: 'edubridge.sources.json' };

    const check = hub(['sources', 'check', '--json'], sourcesEnv);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(JSON.parse(check.stdout).schools).toEqual([
      expect.objectContaining({
        school,
        reference: './',
        adapter: 'acme-sis',
        version: '0.1.0',
        sdk: '1.0.0',
        status: 'ok',
        inlineSecrets: [],
      }),
    ]);

    const read = hub(['adapter', 'read', '--school', school, '--limit', '3'], sourcesEnv);
    const records = read.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    expect(read.stderr).not.toContain('[object Object]');
    for (const r of records)
      expect(r).toMatchObject({ type: 'student', schoolCode: school, source: { adapter: 'acme-sis' } });

    const sync = hub(['sync', '--school', school, '--streams', 'students', '--full', '--json'], sourcesEnv);
    expect(sync.status, sync.stdout + sync.stderr).toBe(0);
    const result = JSON.parse(sync.stdout) as {
      state: string;
      counts: { pulled: number; valid: number; created: number; refused: number };
    };
    expect(result.state).toBe('succeeded');
    expect(result.counts.pulled).toBeGreaterThan(100);
    // Every student the school system holds reached the city, less those the city refuses (a
    // generated district has a few students the city does not know yet).
    expect(result.counts.created).toBeGreaterThan(100);
    expect(result.counts.created + result.counts.refused).toBe(result.counts.valid);
  }, 240_000);

  it('loads the documented example sources file, built-in adapters and the vendor’s alike', () => {
    // The example names the vendor's adapter by path (./adapters/acme-sis) and as an installed package.
    const deployment = join(outside, 'deployment');
    mkdirSync(join(deployment, 'adapters'), { recursive: true });
    mkdirSync(join(deployment, 'node_modules'), { recursive: true });
    mkdirSync(join(deployment, 'secrets'), { recursive: true });
    symlinkSync(PACKAGE, join(deployment, 'adapters', 'acme-sis'));
    symlinkSync(PACKAGE, join(deployment, 'node_modules', 'edubridge-adapter-acme-sis'));
    writeFileSync(join(deployment, 'secrets', 'hiep-phuoc-soap'), 'soap-password\n');
    const example = readFileSync(join(ROOT, 'docs', 'examples', 'edubridge.sources.json'), 'utf8');
    writeFileSync(
      join(deployment, 'edubridge.sources.json'),
      example.replace('../../schemas', join(ROOT, 'schemas')),
    );
    const r = hub(
      ['sources', 'check', '--no-connect', '--json'],
      {
        SOURCES_FILE: 'edubridge.sources.json',
        NBK_VENDOR_API_KEY: 'k1',
        PHUOC_LOC_ONEROSTER_SECRET: 'k2',
        ACME_SIS_API_KEY: 'k3',
        ACME_SIS_API_KEY_NHON_DUC: 'k4',
      },
      deployment,
    );
    const rows = JSON.parse(r.stdout).schools as Array<{ school: string; adapter: string; status: string }>;
    expect(rows.map((s) => [s.school, s.adapter, s.status])).toEqual([
      ['79NB0001', 'rest', 'skipped'],
      ['79NB0002', 'excel', 'skipped'],
      ['79NB0003', 'soap', 'skipped'],
      ['79NB0004', 'oneroster', 'skipped'],
      ['79NB0005', 'acme-sis', 'skipped'],
      ['79NB0006', 'acme-sis', 'skipped'],
    ]);
    expect(r.status).toBe(0);
  }, 120_000);
});
