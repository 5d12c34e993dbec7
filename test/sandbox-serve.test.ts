/**
 * `edubridge sandbox serve` as a vendor or district IT runs it: the real `bin/edubridge.js` in a
 * child process. Its env file alone (no other variable) is a configuration the hub accepts, its
 * sources file one the hub's loader and the rest adapter take, and with them the hub's own clients
 * reach every simulator; every URL it describes answers; a fault knob works; and SIGTERM closes it
 * with exit code 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/index.ts';
import type { GatewayClientOptions } from '../src/gateway/index.ts';

// The hub's and the sandbox's modules are imported after the child is spawned: their loading
// (seconds on a cold cache) overlaps the sandbox's start instead of adding to it.
const loadModules = async () => ({
  ...(await import('../src/app/sso.ts')),
  ...(await import('../src/app/startup.ts')),
  ...(await import('../src/config/index.ts')),
  ...(await import('../src/gateway/index.ts')),
  ...(await import('../src/identity/c06/client.ts')),
  ...(await import('../src/targets/city-edudb.ts')),
  ...(await import('../src/targets/from-config.ts')),
  ...(await import('../src/targets/ssc.ts')),
  ...(await import('../sandbox/city-edudb/index.ts')),
  ...(await import('../sandbox/serve.ts')),
  ...(await import('../src/pipeline/sources/index.ts')),
  ...(await import('../adapters/index.ts')),
});
let modules: Promise<Awaited<ReturnType<typeof loadModules>>> | undefined;
const hub = () => {
  modules ??= loadModules();
  return modules;
};

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');

interface Described {
  schools: string[];
  simulators: Array<{ id: string; url: string }>;
  testAccounts: Array<{ personalId: string; fullName: string; birthDate: string; role: string }>;
}

/** Every setting the env file holds, in order: the hub's, then the two of the sandbox itself. */
const WSO2_KEYS = [
  'CITY_EDUDB_GATEWAY',
  'CITY_EDUDB_GATEWAY_URL',
  'CITY_EDUDB_CONSUMER_KEY',
  'CITY_EDUDB_CONSUMER_SECRET',
  'SSC_GATEWAY',
  'SSC_GATEWAY_URL',
  'SSC_CONSUMER_KEY',
  'SSC_CONSUMER_SECRET',
  'SSC_SERVICE',
  'SSC_COLLECTION_ACCOUNTS',
  'C06_GATEWAY',
  'C06_GATEWAY_URL',
  'C06_XROAD_CLIENT',
  'C06_API_KEY',
  'C06_USER_NAME',
  'C06_SECRET_KEY',
  'C06_SERVICE',
  'C06_OFFICIAL_ID',
  'C06_UNIT_CODE',
  'PUBLIC_URL',
  'SSO_UPSTREAM',
  'VNEID_ISSUER',
  'VNEID_CLIENT_ID',
  'VNEID_CLIENT_SECRET',
  'SSO_COOKIE_KEYS',
  'SSO_DISTRICT_ADMINS',
  'SOURCES_FILE',
  'SANDBOX_VENDOR_API_KEY',
  'SANDBOX_REST_SCHOOL_URL',
  'SANDBOX_SCHOOL_CODES',
  'SANDBOX_CONTROL_URL',
];

describe('edubridge sandbox serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edubridge-sandbox-serve-'));
  const envFile = join(dir, 'sandbox.env');
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let env: Record<string, string>;
  let config: Config;
  let described: Described;
  let m: Awaited<ReturnType<typeof hub>>;
  // Every built-in adapter, as `edubridge serve` has them.
  const catalogue = () =>
    m.createAdapterCatalogue(
      Object.fromEntries(m.BUILT_IN_ADAPTERS.map((id) => [id, () => m.loadBuiltInAdapter(id)])),
    );

  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, 'sandbox', 'serve', '--schools', '1', '--env-out', envFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    m = await hub();
    // The file appears whole (written beside, then renamed) once every simulator listens.
    const deadline = Date.now() + 25_000;
    while (!existsSync(envFile)) {
      if (child.exitCode !== null) throw new Error(`sandbox serve exited ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`no env file after 25 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    env = parse(readFileSync(envFile, 'utf8'));
    // The env file alone: nothing from this process's environment or a .env in the working dir.
    config = m.loadConfig(env, { envFile: false });
    described = (await (await fetch(env.SANDBOX_CONTROL_URL!)).json()) as Described;
  }, 30_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every setting the hub needs to reach the simulators, under the hub’s names', () => {
    expect(Object.keys(env)).toEqual(WSO2_KEYS);
    expect(config).toMatchObject({
      CITY_EDUDB_GATEWAY: 'wso2',
      SSC_GATEWAY: 'wso2',
      C06_GATEWAY: 'xroad',
      SSO_UPSTREAM: 'dvcqg',
      SOURCES_FILE: join(dir, 'edubridge.sources.json'),
    });
    expect(Object.keys(config.SSC_COLLECTION_ACCOUNTS ?? {})).toEqual(described.schools);
    expect(config.SSO_DISTRICT_ADMINS).toEqual({ [env.C06_OFFICIAL_ID!]: described.schools });
  });

  it('is a configuration `edubridge serve` starts with, every school’s source usable (targets, C06, sources, SSO)', async () => {
    // As the README says to start the hub: the file exported into its environment, where the
    // sources file's `{"env": …}` references are read.
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      await expect(m.checkServeSettings(config, catalogue())).resolves.toEqual([]);
    } finally {
      for (const name of Object.keys(env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
    expect(m.upstreamFromConfig(config)).toMatchObject({
      personality: 'dvcqg',
      issuer: env.VNEID_ISSUER,
      clientId: env.VNEID_CLIENT_ID,
    });
  });

  it('gives a gateway token for the credentials it wrote', async () => {
    const basic = Buffer.from(`${env.CITY_EDUDB_CONSUMER_KEY}:${env.CITY_EDUDB_CONSUMER_SECRET}`).toString(
      'base64',
    );
    const res = await fetch(`${env.CITY_EDUDB_GATEWAY_URL}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { access_token?: string }).access_token).toEqual(expect.any(String));
  });

  it('lets the hub’s own clients reach the city DB and SSC through the gateway', async () => {
    const school = described.schools[0]!;
    const city = m.createCityEduDbTarget({
      gateway: m.createGatewayClient(m.cityEduDbGatewayOptions(config)),
    });
    const roster = await city.readRoster(school);
    expect(roster.HocSinh.length).toBeGreaterThan(0);
    const ssc = m.createSscTarget({
      gateway: m.createGatewayClient(m.sscGatewayOptions(config)!),
      collectionAccounts: config.SSC_COLLECTION_ACCOUNTS ?? {},
      service: config.SSC_SERVICE,
    });
    const payments = [];
    for await (const p of ssc.readPayments(school)) payments.push(p);
    expect(payments).toEqual([]);
  });

  const c06 = () =>
    m.createC06Client({
      gateway: m.createGatewayClient(m.c06GatewayOptions(config)!),
      service: config.C06_SERVICE,
      requester: {
        officialId: config.C06_OFFICIAL_ID!,
        unitCode: config.C06_UNIT_CODE!,
        account: config.C06_ACCOUNT,
      },
    });

  it('answers a C06 lookup of a printed test account through the NDXP gateway, and faults on demand', async () => {
    const teacher = described.testAccounts.find((a) => a.role.endsWith('teacher'))!;
    const person = { ...teacher, correlationId: 'sandbox-serve-test' };
    expect(await c06().lookup(person)).toMatchObject({
      found: true,
      citizen: { personalId: teacher.personalId },
    });
    const knob = `${env.SANDBOX_CONTROL_URL}/c06/faults`;
    const post = (body: unknown) =>
      fetch(knob, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ faultEvery: 1 })).status).toBe(200);
    await expect(c06().lookup(person)).rejects.toThrow();
    expect((await post({})).status).toBe(200);
    expect(await c06().lookup(person)).toMatchObject({ found: true });
  });

  it('writes a sources file whose REST source reads the school with the key the env file names', async () => {
    const sources = JSON.parse(readFileSync(env.SOURCES_FILE!, 'utf8')) as Record<
      string,
      { adapter: string; config: { baseUrl: string; auth: { type: string; key: { env: string } } } }
    >;
    expect(Object.keys(sources)).toEqual(described.schools);
    const [code, source] = Object.entries(sources)[0]!;
    expect(source).toMatchObject({
      adapter: 'rest',
      config: { auth: { type: 'apiKey', key: { env: 'SANDBOX_VENDOR_API_KEY' } } },
    });
    const students = `${source.config.baseUrl}/api/v1/hoc-sinh?maTruong=${code}`;
    expect((await fetch(students)).status).toBe(401);
    const res = await fetch(students, { headers: { 'x-api-key': env[source.config.auth.key.env]! } });
    expect(res.status).toBe(200);
    // The hub's loader reads the key by reference, and the rest adapter takes the config.
    const loaded = await m.loadSources(env.SOURCES_FILE!, { adapters: catalogue(), env });
    expect(loaded[code]).toMatchObject({ adapter: 'rest', referenced: ['auth.key'] });
    expect(loaded[code]!.problem).toBeUndefined();
  });

  it('serves every simulator it describes, each answering HTTP at its URL', async () => {
    expect(described.simulators.map((s) => s.id)).toEqual([
      'gateway',
      'city',
      'ssc',
      'c06Gateway',
      'c06',
      'vneid',
      'restSchool',
      'soapSchool',
      'oneRoster',
      'control',
    ]);
    for (const s of described.simulators) {
      const res = await fetch(s.url);
      expect(res.status, s.id).toBeLessThan(500);
    }
    const discovery = await fetch(`${env.VNEID_ISSUER}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(env.VNEID_ISSUER);
  });

  it('closes every server on SIGTERM and exits 0', async () => {
    const urls = described.simulators.map((s) => s.url);
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const url of urls) await expect(fetch(url)).rejects.toThrow();
  });
});

describe('the sandbox’s gateway settings', () => {
  let m: Awaited<ReturnType<typeof hub>>;
  beforeAll(async () => {
    m = await hub();
  }, 30_000);
  it.each(['wso2', 'vnpt-lgsp', 'xroad'] as const)(
    'for %s are read back by the hub as the client options the tests use',
    (personality) => {
      const options = m.sandboxGatewayClientOptions(
        'http://127.0.0.1:9',
        personality,
        'city-edudb',
        '000.20.00.H29',
      );
      const sections = [{ title: personality, entries: m.gatewaySettings('CITY_EDUDB', options) }];
      const settings = parse(m.renderEnvFile(sections));
      const config = m.loadConfig(settings, { envFile: false });
      const { timeoutMs: _timeout, ...read } = m.gatewayOptionsFromSettings(
        config,
        'CITY_EDUDB',
        'city-edudb',
        config.CITY_EDUDB_GATEWAY_URL!,
      ) as GatewayClientOptions & { timeoutMs: number };
      expect(read).toEqual(options);
      expect(settings.CITY_EDUDB_GATEWAY).toBe(personality);
      expect(m.SANDBOX_CREDENTIALS[personality]).toBeDefined();
    },
  );

  it('quotes JSON so dotenv and a shell read the same text', () => {
    const json = '{"79NB0001":{"bankBin":"970436","account":"0071"}}';
    const text = m.renderEnvFile([{ title: 't', entries: [['SSC_COLLECTION_ACCOUNTS', json]] }]);
    expect(text).toContain(`SSC_COLLECTION_ACCOUNTS='${json}'`);
    expect(parse(text).SSC_COLLECTION_ACCOUNTS).toBe(json);
  });
});
