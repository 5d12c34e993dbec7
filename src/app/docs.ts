import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import packageJson from '../../package.json' with { type: 'json' };
import { presentedKey } from '../api/auth.ts';
import { problem } from '../api/problem.ts';
import { type Config, publicUrlOf } from '../config/index.ts';
import { type Database, verifyApiKey } from '../store/index.ts';

/**
 * OpenAPI 3.1 built from the routes' zod schemas, at `/openapi.json`, with Swagger UI at `/docs`.
 * Register before any documented route: @fastify/swagger only sees routes added after it. Only
 * when API_DOCS is on (off by default in production); in production both then need an API key of
 * the district role: the document maps every route an attacker could try.
 */
export async function registerDocs(
  app: FastifyInstance,
  options: { config: Pick<Config, 'NODE_ENV' | 'PUBLIC_URL' | 'SSO_PUBLIC_URL'>; database: Database },
): Promise<void> {
  const publicUrl = publicUrlOf(options.config);
  await app.register(swagger, {
    openapi: {
      // The server a client is told to call is the configured one, never the Host it asked.
      servers: [serverOf(publicUrl)],
      // @fastify/swagger writes 3.0.3 unless told, and the zod transform picks its JSON Schema
      // dialect from this field (draft 2020-12 for 3.1).
      openapi: '3.1.0',
      info: {
        title: 'EduBridge',
        version: packageJson.version,
        description: packageJson.description,
        // As package.json says (UNLICENSED): no open licence, so no `url` or SPDX `identifier`.
        license: { name: packageJson.license },
      },
      tags: [...API_TAGS],
      components: {
        // One key, two ways to send it: `/v1` routes accept either (see `SECURED` in src/api/auth.ts).
        securitySchemes: {
          apiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Api-Key',
            description: 'An EduBridge API key (`eb_<prefix>_<secret>`) from `edubridge apikey create`',
          },
          bearerApiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'The same API key as `Authorization: Bearer <key>`',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    // Every zod schema given an `id` (`.meta({ id })`) in zod's global registry becomes a named
    // component, whether or not a route uses it: give ids only to schemas meant for the API.
    // The registry's schemas come out twice (`X` and `XInput`, as written and as read): only those an
    // operation refers to stay, and only the tags an operation uses.
    transformObject: (input) => withoutUnused(jsonSchemaTransformObject(input) as OpenApiDocument),
  });
  const district =
    options.config.NODE_ENV === 'production'
      ? (request: FastifyRequest) => districtOnly(request, options.database)
      : undefined;
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI's own Content-Security-Policy (hashes of its inline parts), on its pages only.
    staticCSP: true,
    ...(district ? { uiHooks: { onRequest: async (request: FastifyRequest) => district(request) } } : {}),
  });

  app.get(
    '/openapi.json',
    {
      schema: { hide: true },
      ...(district ? { onRequest: async (request: FastifyRequest) => district(request) } : {}),
    },
    async () => app.swagger(),
  );
}

/**
 * The operations' groups, one per resource, in the order readers meet them. Every route's `tags`
 * names one of these (test/openapi.test.ts checks it); a tag no route of this hub uses (`sso`
 * without SSO_UPSTREAM) is left out of the document.
 */
export const API_TAGS = [
  { name: 'health', description: 'Kiểm tra tiến trình và các phụ thuộc / Liveness and readiness probes' },
  { name: 'auth', description: 'Khoá API đang dùng / The API key making the request' },
  {
    name: 'overview',
    description: 'Toàn quận và từng trường trong nháy mắt / The district and each school at a glance',
  },
  {
    name: 'reports',
    description:
      'Báo cáo giáo dục: sĩ số, điểm, xếp loại, so sánh trường, chất lượng dữ liệu (JSON hoặc Excel) / Education reports: enrolment, scores, levels, schools compared, data quality (JSON or Excel)',
  },
  {
    name: 'runs',
    description: 'Các lần đồng bộ của một trường và tiến trình của chúng / Sync runs and their progress',
  },
  {
    name: 'records',
    description: 'Lịch sử gửi từng bản ghi đến hệ thống đích / Delivery history of single records',
  },
  {
    name: 'dead-letters',
    description:
      'Bản ghi bị hệ thống đích từ chối: xem, gửi lại, bỏ / Records a target refused: list, replay, discard',
  },
  { name: 'schedules', description: 'Lịch đồng bộ định kỳ của trường / Schools’ sync schedules' },
  {
    name: 'payments',
    description: 'Khoản nộp qua SSC, biên lai và đối soát / Payments from SSC, receipts and reconciliation',
  },
  {
    name: 'identity',
    description:
      'Xác thực danh tính: tra C06, thẻ CCCD tại trường, độ phủ / Identity checks: C06, ID cards at school, coverage',
  },
  {
    name: 'audit',
    description: 'Nhật ký kiểm toán các quyết định truy cập / The audit log of access decisions',
  },
  {
    name: 'sso',
    description:
      'Đăng nhập một lần cho ứng dụng trường qua VNeID (OpenID Connect) / Single sign-on for school apps through VNeID (OpenID Connect)',
  },
] as const;

/**
 * The one server of the document: PUBLIC_URL when set (so a client generated from the served
 * document calls the hub at its public address); without it a relative `/`, the host the document
 * was fetched from, as OpenAPI reads a document without servers. The committed copy
 * (openapi/edubridge.json) is made without PUBLIC_URL, so it says `/`.
 */
function serverOf(publicUrl: string | undefined): { url: string; description: string } {
  return publicUrl
    ? {
        url: publicUrl,
        description: 'Địa chỉ công khai của hub (PUBLIC_URL) / The hub’s public URL (PUBLIC_URL)',
      }
    : {
        url: '/',
        description:
          'Nơi phục vụ tài liệu này; PUBLIC_URL chưa đặt / Where this document is served from (PUBLIC_URL is not set)',
      };
}

type OpenApiDocument = {
  paths?: Record<string, Record<string, { tags?: string[] } | unknown>>;
  components?: Record<string, Record<string, unknown> | undefined>;
  tags?: { name: string }[];
} & Record<string, unknown>;

/**
 * The document without the components no operation reaches (following `$ref`s from the paths,
 * through components to components) and without the tags no operation names. Security schemes are
 * named by `security`, not `$ref`: they stay.
 */
export function withoutUnused<D extends OpenApiDocument>(document: D): D {
  const reached = new Set<string>();
  const pending: unknown[] = [document.paths];
  const components = document.components ?? {};
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (
        key === '$ref' &&
        typeof value === 'string' &&
        value.startsWith('#/components/') &&
        !reached.has(value)
      ) {
        reached.add(value);
        const [, , kind, name] = value.split('/');
        pending.push(components[kind!]?.[decodePointer(name!)]);
      } else {
        pending.push(value);
      }
    }
  }
  const kept = Object.fromEntries(
    Object.entries(components).map(([kind, entries]) => [
      kind,
      kind === 'securitySchemes' || entries === undefined
        ? entries
        : Object.fromEntries(
            Object.entries(entries).filter(([name]) =>
              reached.has(`#/components/${kind}/${encodePointer(name)}`),
            ),
          ),
    ]),
  );
  const used = new Set(
    Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item).flatMap((operation) => (operation as { tags?: string[] } | null)?.tags ?? []),
    ),
  );
  return {
    ...document,
    ...(document.components ? { components: kept } : {}),
    ...(document.tags ? { tags: document.tags.filter((tag) => used.has(tag.name)) } : {}),
  };
}

const decodePointer = (segment: string) => segment.replaceAll('~1', '/').replaceAll('~0', '~');
const encodePointer = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1');

/** The API docs in production: an API key of the district role, or 401/403 as the API answers. */
async function districtOnly(request: FastifyRequest, database: Database): Promise<void> {
  const presented = presentedKey(request);
  if (presented === undefined) throw problem('API_KEY_MISSING', {});
  const principal = await verifyApiKey(database, presented);
  if (!principal) throw problem('API_KEY_INVALID', {});
  if (principal.role !== 'district') {
    throw problem('FORBIDDEN_SCOPE', { reason: 'the API docs need a key of the district role' });
  }
}
