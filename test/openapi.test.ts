import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { generateOpenApi, toStableJson, withOfflineApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMMITTED = new URL('../openapi/edubridge.json', import.meta.url);
const STALE = 'openapi/edubridge.json is out of date with the routes: run `npm run openapi` and commit it';

const PUBLIC_URL = 'https://edubridge.example.gov.vn';
/** The hub with its public URL and single sign-on configured: the document then has the SSO discovery. */
const DEPLOYED = {
  PUBLIC_URL: `${PUBLIC_URL}/`,
  SSO_UPSTREAM: 'dvcqg',
  SSO_COOKIE_KEYS: 'a-cookie-key-of-32-characters-xx',
  VNEID_CLIENT_ID: 'hub',
  VNEID_CLIENT_SECRET: 'secret',
  VNEID_ISSUER: 'https://xacthuc.dichvucong.gov.vn/oauth2/token',
};

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
interface Document {
  openapi: string;
  info: { title: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

/** `/openapi.json` as the hub serves it with these settings, asked with a Host of the caller's choosing. */
async function served(env: Record<string, string>, headers: Record<string, string> = {}): Promise<Document> {
  return withOfflineApp(loadConfig(env, { envFile: false }), async (app) => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json', headers });
    expect(response.statusCode).toBe(200);
    return response.json() as Document;
  });
}

function operationsOf(document: Document): { name: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );
}

test('the committed OpenAPI document matches the routes', async () => {
  const committed = await readFile(COMMITTED, 'utf8').catch(() => '(missing)');

  const generated = toStableJson(await generateOpenApi());

  expect(committed, STALE).toBe(generated);
});

test('the document is OpenAPI 3.1 titled EduBridge', async () => {
  const document = (await generateOpenApi()) as { openapi: string; info: { title: string } };

  expect(document.openapi).toBe('3.1.0');
  expect(document.info.title).toBe('EduBridge');
});

describe('servers', () => {
  test('the configured PUBLIC_URL, whatever Host the request names', async () => {
    const document = await served(DEPLOYED, {
      host: 'attacker.example',
      'x-forwarded-host': 'attacker.example',
      'x-forwarded-proto': 'http',
    });

    expect(document.servers?.[0]?.url).toBe(PUBLIC_URL);
    expect(document.servers).toHaveLength(1);
  });

  test('without PUBLIC_URL, the relative `/` (the committed document says so too)', async () => {
    const document = await served({}, { host: 'attacker.example' });
    const committed = JSON.parse(await readFile(COMMITTED, 'utf8')) as Document;

    expect(document.servers?.map((server) => server.url)).toEqual(['/']);
    expect(committed.servers?.map((server) => server.url)).toEqual(['/']);
  });
});

describe.each([
  ['without SSO or PUBLIC_URL', {}],
  ['with PUBLIC_URL and SSO', DEPLOYED],
])('every operation served %s', (_label, env: Record<string, string>) => {
  test('has a unique camelCase operationId, declared tags and its security', async () => {
    const document = await served(env);
    const declared = new Map(document.tags?.map((tag) => [tag.name, tag.description]));
    const schemes = Object.keys(document.components.securitySchemes);

    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(20);
    for (const { name, operation } of operations) {
      expect(operation.operationId, name).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(operation.tags?.length, name).toBeGreaterThan(0);
      for (const tag of operation.tags ?? []) expect(declared.get(tag), `${name}: tag ${tag}`).toBeTruthy();
      expect(Array.isArray(operation.security), `${name} declares its security`).toBe(true);
      for (const requirement of operation.security ?? []) {
        for (const scheme of Object.keys(requirement)) expect(schemes, name).toContain(scheme);
      }
    }
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('needs an API key under /v1 and none elsewhere (probes, SSO discovery)', async () => {
    const document = await served(env);

    for (const { name, operation } of operationsOf(document)) {
      if (name.includes(' /v1/')) {
        expect(operation.security, name).toEqual([{ apiKey: [] }, { bearerApiKey: [] }]);
        expect(Object.keys(operation.responses), name).toContain('401');
      } else {
        expect(operation.security, name).toEqual([]);
      }
    }
  });

  test('names no component it does not use, and no tag', async () => {
    const document = await served(env);
    const text = JSON.stringify(document.paths);
    const refs = new Set<string>();
    // The components the paths name, and those they name in turn.
    let pending = [...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!);
    while (pending.length > 0) {
      const next: string[] = [];
      for (const name of pending) {
        if (refs.has(name)) continue;
        refs.add(name);
        const schema = JSON.stringify(document.components.schemas[name]);
        next.push(...[...schema.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!));
      }
      pending = next;
    }
    const used = new Set(operationsOf(document).flatMap(({ operation }) => operation.tags ?? []));

    expect(Object.keys(document.components.schemas).sort()).toEqual([...refs].sort());
    expect(document.tags?.map((tag) => tag.name).sort()).toEqual([...used].sort());
  });
});

test('with SSO, the document shows its OpenID Connect discovery and hides the provider’s other routes', async () => {
  const document = await served(DEPLOYED);

  const sso = Object.keys(document.paths).filter((path) => path.startsWith('/sso'));
  expect(sso).toEqual(['/sso/.well-known/openid-configuration']);
  expect(document.paths[sso[0]!]?.get?.operationId).toBe('getOpenIdConfiguration');
  expect(Object.keys(document.paths[sso[0]!]?.get?.responses ?? {})).toEqual(['200', '429']);
});

// `npm run openapi:lint` lints the committed document in `npm test`; this lints what a deployed hub
// serves (its PUBLIC_URL, the SSO discovery), with the same configuration and exceptions.
test('Redocly’s lint passes the document a deployed hub serves, without a warning', async () => {
  const document = await served(DEPLOYED);
  const dir = await mkdtemp(join(tmpdir(), 'edubridge-openapi-'));
  try {
    await mkdir(join(dir, 'openapi'));
    await writeFile(join(dir, 'openapi/edubridge.json'), toStableJson(document));
    for (const file of ['redocly.yaml', '.redocly.lint-ignore.yaml']) {
      await copyFile(join(ROOT, file), join(dir, file));
    }
    const redocly = join(ROOT, 'node_modules/.bin/redocly');
    const { stdout, stderr } = await promisify(execFile)(
      redocly,
      ['lint', 'openapi/edubridge.json', '--format=stylish'],
      { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`redocly lint failed:\n${error.stdout}\n${error.stderr}`);
    });

    const output = `${stdout}\n${stderr}`;
    expect(output).toContain('Your API description is valid');
    // Warnings fail the run too (recommended-strict), but say it: nothing but the two ignored problems.
    expect(output).not.toMatch(/You have \d+ warnings?/);
    expect(output).toContain('2 problems are explicitly ignored');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
