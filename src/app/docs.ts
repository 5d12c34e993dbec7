import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import packageJson from '../../package.json' with { type: 'json' };
import { presentedKey } from '../api/auth.ts';
import { type Config, publicUrlOf } from '../config/index.ts';
import { type Database, verifyApiKey } from '../store/index.ts';
import { problem } from './problem.ts';

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
      ...(publicUrl ? { servers: [{ url: publicUrl }] } : {}),
      // @fastify/swagger writes 3.0.3 unless told, and the zod transform picks its JSON Schema
      // dialect from this field (draft 2020-12 for 3.1).
      openapi: '3.1.0',
      info: {
        title: 'EduBridge',
        version: packageJson.version,
        description: packageJson.description,
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'auth', description: 'API keys and the audit log of their use' },
      ],
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
    transformObject: jsonSchemaTransformObject,
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
