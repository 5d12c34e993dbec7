import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  inputLimitsOf,
  loadConfig,
  loadSettings,
  parseSettings,
  ruleSettingsSchema,
  setting,
} from '../src/config/index.ts';
import { DEFAULT_INPUT_LIMITS } from '../src/sdk/index.ts';

// The sync engine's and SSC's settings, at their documented defaults.
const ENGINE_AND_SSC_DEFAULTS = {
  SYNC_BATCH_SIZE: 500,
  PUSH_ATTEMPTS: 5,
  REPLAY_APPROVAL_THRESHOLD: 100,
  CITY_EDUDB_REQUESTS_PER_SECOND: 20,
  CITY_EDUDB_CONCURRENT_BATCHES: 4,
  BREAKER_FAILURES: 5,
  BREAKER_COOLDOWN_MS: 30_000,
  LINEAGE_BODY_DAYS: 30,
  WORKER_LOCK_MS: 30_000,
  WORKER_METRICS_PORT: 0,
  WORKER_METRICS_HOST: '127.0.0.1',
  PUSH_OUTAGE_MAX_MS: 86_400_000,
  SSC_GATEWAY: 'wso2',
  SSC_TIMEOUT_MS: 30_000,
  SSC_SERVICE: 'ssc',
  SSC_APP_NAME: 'EDUBRIDGE',
  SSC_SENDER_CODE: '000.00.00.H29',
  SSC_REQUESTS_PER_SECOND: 10,
  SSC_CONCURRENT_BATCHES: 2,
  C06_GATEWAY: 'xroad',
  C06_TIMEOUT_MS: 20_000,
  C06_SERVICE: 'c06',
  C06_APP_NAME: 'EDUBRIDGE',
  C06_SENDER_CODE: '000.00.00.H29',
  C06_SERVICE_CODE: 'VPCP',
  C06_INTEGRATION_CODE: '037',
  C06_ACCOUNT: 'edubridge',
  C06_NAME_FORMAT: 'as-is',
  C06_REQUESTS_PER_SECOND: 5,
  IDENTITY_CHECK_VALID_DAYS: 180,
  VNEID_PKCE: true,
  VNEID_AES_MODE: 'ecb',
  RATE_LIMIT_AUTH_FAILURES: 20,
  RATE_LIMIT_SSO: 600,
  RATE_LIMIT_SSO_TOKEN: 120,
  RATE_LIMIT_IDENTITY: 300,
};

/** The parsers' bounds (src/sdk/limits.ts says why each). */
const INPUT_LIMIT_DEFAULTS = {
  BODY_MAX_DEPTH: 32,
  XLSX_MAX_INFLATED_BYTES: 209_715_200,
  XLSX_MAX_ZIP_ENTRIES: 1_000,
  XLSX_MAX_WORKBOOK_PART_BYTES: 8_388_608,
  XLSX_MAX_COMPRESSION_RATIO: 100,
  XLSX_MAX_SHARED_STRINGS: 2_000_000,
  XLSX_MAX_SHARED_STRINGS_BYTES: 104_857_600,
  XLSX_MAX_TEXT_BYTES: 1_048_576,
  XLSX_MAX_ROW_CHARACTERS: 1_048_576,
  SHEET_MAX_CELLS_PER_ROW: 16_384,
  CSV_MAX_RECORD_BYTES: 1_048_576,
  SOAP_MAX_WSDL_BYTES: 5_242_880,
  SOAP_MAX_RESPONSE_BYTES: 20_971_520,
};

describe('loadConfig', () => {
  test('gives the documented defaults when nothing is set', () => {
    expect(loadConfig({}, { envFile: false })).toEqual({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 8080,
      LOG_LEVEL: 'info',
      DATABASE_URL: undefined,
      PGLITE_DIR: undefined,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'edubridge',
      BODY_LIMIT_BYTES: 1_048_576,
      CITY_EDUDB_GATEWAY: 'wso2',
      CITY_EDUDB_TIMEOUT_MS: 30_000,
      CITY_EDUDB_APP_NAME: 'EDUBRIDGE',
      CITY_EDUDB_SENDER_CODE: '000.00.00.H29',
      SOURCES_FILE: 'edubridge.sources.json',
      HOLD_THRESHOLD: 0.1,
      ...ENGINE_AND_SSC_DEFAULTS,
      ...INPUT_LIMIT_DEFAULTS,
    });
  });

  test('reads and converts every setting', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        PORT: '9000',
        LOG_LEVEL: 'warn',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        PGLITE_DIR: 'data/pglite',
        REDIS_URL: 'rediss://cache.internal:6380/2',
        REDIS_PREFIX: 'hcm-q1',
        BODY_LIMIT_BYTES: '2097152',
        DATA_KEYS: `k1:${'A'.repeat(43)}=`,
        BLIND_INDEX_KEY: `${'A'.repeat(43)}=`,
      },
      { envFile: false },
    );
    expect(config).toEqual({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: 9000,
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      PGLITE_DIR: 'data/pglite',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      REDIS_PREFIX: 'hcm-q1',
      BODY_LIMIT_BYTES: 2_097_152,
      DATA_KEYS: `k1:${'A'.repeat(43)}=`,
      BLIND_INDEX_KEY: `${'A'.repeat(43)}=`,
      CITY_EDUDB_GATEWAY: 'wso2',
      CITY_EDUDB_TIMEOUT_MS: 30_000,
      CITY_EDUDB_APP_NAME: 'EDUBRIDGE',
      CITY_EDUDB_SENDER_CODE: '000.00.00.H29',
      SOURCES_FILE: 'edubridge.sources.json',
      HOLD_THRESHOLD: 0.1,
      ...ENGINE_AND_SSC_DEFAULTS,
      ...INPUT_LIMIT_DEFAULTS,
    });
  });

  test('refuses production without the data encryption keys, naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, { envFile: false })).toThrow(/DATA_KEYS/);
  });

  test('TRUST_PROXY takes addresses, CIDR blocks and the named ranges, and refuses anything else by name', () => {
    expect(
      loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8, loopback' }, { envFile: false }).TRUST_PROXY,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1/8/2', 'true']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }, { envFile: false })).toThrow(/TRUST_PROXY/);
    }
  });

  test('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' }, { envFile: false })).not.toHaveProperty('PATH');
  });

  test('treats an empty value as not set', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }, { envFile: false })).toMatchObject({
      PORT: 8080,
      DATABASE_URL: undefined,
    });
  });

  test.each([
    ['PORT', 'abc', 'PORT must be an integer 1–65535 (got "abc")'],
    ['PORT', '70000', 'PORT must be an integer 1–65535 (got "70000")'],
    ['PORT', '0x50', 'PORT must be an integer 1–65535 (got "0x50")'],
    ['REDIS_URL', 'notaurl', 'REDIS_URL must be a redis:// or rediss:// URL (got "notaurl")'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [
      'DATABASE_URL',
      'mysql://x',
      'DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://x")',
    ],
    ['NODE_ENV', 'staging', 'NODE_ENV must be one of development, test, production (got "staging")'],
    ['BODY_LIMIT_BYTES', '0', 'BODY_LIMIT_BYTES must be an integer number of bytes 1–1073741824 (got "0")'],
    [
      'BODY_MAX_DEPTH',
      '1000',
      'BODY_MAX_DEPTH must be levels of nesting ({ or [) a JSON request body may have, 1–256 (got "1000")',
    ],
    [
      'XLSX_MAX_COMPRESSION_RATIO',
      '1',
      'XLSX_MAX_COMPRESSION_RATIO must be inflated bytes per compressed byte of one part of an .xlsx, 2–100000 (got "1")',
    ],
  ])('%s=%s stops start-up with one line naming it', (variable, value, expected) => {
    const error = captureConfigError({ [variable]: value });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`Cấu hình sai / Invalid configuration: ${expected}`);
    expect(error.message).not.toContain('\n');
    expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
  });

  test('names every bad variable on the same line', () => {
    const error = captureConfigError({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(error.message).toBe(
      'Cấu hình sai / Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, ' +
        'silent (got "loud"); PORT must be an integer 1–65535 (got "abc")',
    );
  });

  test('never shows the password of a rejected URL', () => {
    const error = captureConfigError({ DATABASE_URL: 'mysql://edubridge:S3cret-pw@db.internal/hub' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).toContain('"mysql://***@db.internal/hub"');
    expect(error.message).not.toContain('S3cret-pw');
  });
});

describe('TEXT_LIMITS', () => {
  test('overrides the text limits by kind, leaving the others to their defaults', () => {
    expect(
      loadConfig({ TEXT_LIMITS: '{"fullName": 120, "address": 300}' }, { envFile: false }),
    ).toMatchObject({
      TEXT_LIMITS: { fullName: 120, address: 300 },
    });
    expect(loadConfig({}, { envFile: false }).TEXT_LIMITS).toBeUndefined();
  });

  test('refuses an unknown kind, naming it', () => {
    const error = captureConfigError({ TEXT_LIMITS: '{"fulName": 120, "address": 300}' });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['TEXT_LIMITS']);
    expect(error.message).toMatch(/^Cấu hình sai \/ Invalid configuration: TEXT_LIMITS must be JSON/);
    expect(error.message).toContain('fullName ≤ 200');
    expect(error.message).toMatch(/: unknown kind "fulName"\)$/);
    expect(error.message).not.toContain('\n');
  });

  test.each([
    ['{"fullName": 0}', 'fullName 0 is not a whole number from 1 to 200'],
    ['{"fullName": -5}', 'fullName -5 is not a whole number from 1 to 200'],
    ['{"room": 12.5}', 'room 12.5 is not a whole number from 1 to 50'],
    ['{"className": "12"}', 'className "12" is not a whole number from 1 to 12'],
    // Above what the city takes: a record the hub passed would be refused there.
    ['{"fullName": 250}', 'fullName 250 is not a whole number from 1 to 200'],
  ])('refuses %s, naming the kind and its range', (value, reason) => {
    expect(captureConfigError({ TEXT_LIMITS: value }).message).toContain(`: ${reason})`);
  });

  test('names every fault of the setting at once', () => {
    expect(captureConfigError({ TEXT_LIMITS: '{"fulName": 1, "room": 0}' }).message).toMatch(
      /: unknown kind "fulName"; room 0 is not a whole number from 1 to 50\)$/,
    );
  });

  test('refuses what is not a JSON object', () => {
    expect(captureConfigError({ TEXT_LIMITS: 'fullName=120' }).message).toMatch(
      /\(got "fullName=120": not JSON\)$/,
    );
    expect(captureConfigError({ TEXT_LIMITS: '[120]' }).message).toContain('TEXT_LIMITS must be JSON');
  });

  test('is read alone by loadSettings, without the rest of the configuration', () => {
    expect(
      loadSettings(
        ruleSettingsSchema,
        { TEXT_LIMITS: '{"fullName": 80}', PORT: 'not a port' },
        { envFile: false },
      ),
    ).toEqual({ TEXT_LIMITS: { fullName: 80 } });
  });
});

describe('loadConfig with a .env file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edubridge-config-'));
    await writeFile(join(dir, '.env'), 'PORT=9001\nREDIS_PREFIX=from-file\n# a comment\nLOG_LEVEL=debug\n');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('fills settings the environment leaves unset', () => {
    expect(loadConfig({}, { cwd: dir })).toMatchObject({
      PORT: 9001,
      REDIS_PREFIX: 'from-file',
      LOG_LEVEL: 'debug',
    });
  });

  test('never overrides a variable set in the real environment', () => {
    expect(loadConfig({ PORT: '9002', LOG_LEVEL: 'error' }, { cwd: dir })).toMatchObject({
      PORT: 9002,
      REDIS_PREFIX: 'from-file',
      LOG_LEVEL: 'error',
    });
  });

  test('is skipped when envFile is false', () => {
    expect(loadConfig({}, { cwd: dir, envFile: false })).toMatchObject({
      PORT: 8080,
      REDIS_PREFIX: 'edubridge',
    });
  });

  test('is optional: a directory without one gives the defaults', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'edubridge-config-empty-'));
    try {
      expect(loadConfig({}, { cwd: empty }).PORT).toBe(8080);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test('rejects a bad value from the file by name too', async () => {
    await writeFile(join(dir, '.env'), 'PORT=http\n');
    expect(() => loadConfig({}, { cwd: dir })).toThrow(
      'Cấu hình sai / Invalid configuration: PORT must be an integer 1–65535 (got "http")',
    );
  });
});

describe('parseSettings', () => {
  const gatewaySchema = z.object({
    LGSP_CLIENT_ID: setting(z.string().min(1), { expects: 'the client id issued by LGSP' }),
    LGSP_CLIENT_SECRET: setting(z.string().min(32), { expects: 'at least 32 characters', secret: true }),
  });

  test('names a required setting that is missing', () => {
    expect(() => parseSettings(gatewaySchema, { LGSP_CLIENT_SECRET: 'x'.repeat(32) })).toThrow(
      'Cấu hình sai / Invalid configuration: LGSP_CLIENT_ID must be the client id issued by LGSP (not set)',
    );
  });

  test('never echoes a secret, only its length', () => {
    const error = captureConfigError(
      { LGSP_CLIENT_ID: 'edubridge', LGSP_CLIENT_SECRET: 'hunter2' },
      gatewaySchema,
    );
    expect(error.message).toBe(
      'Cấu hình sai / Invalid configuration: LGSP_CLIENT_SECRET must be at least 32 characters ' +
        '(got 7 characters, not shown)',
    );
  });
});

function captureConfigError(env: Record<string, string>, schema?: z.ZodObject): ConfigError {
  try {
    if (schema) parseSettings(schema, env);
    else loadConfig(env, { envFile: false });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the parsers’ bounds', () => {
  test('reach the adapters as ctx.limits, each setting to its bound', () => {
    const config = loadConfig(
      { XLSX_MAX_INFLATED_BYTES: '1048576', SOAP_MAX_WSDL_BYTES: '65536' },
      { envFile: false },
    );
    expect(inputLimitsOf(config)).toEqual({
      ...DEFAULT_INPUT_LIMITS,
      maxInflatedBytes: 1_048_576,
      maxWsdlBytes: 65_536,
    });
    expect(inputLimitsOf(loadConfig({}, { envFile: false }))).toEqual(DEFAULT_INPUT_LIMITS);
  });
});
