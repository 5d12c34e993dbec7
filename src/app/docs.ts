import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * OpenAPI 3.1 built from the routes' zod schemas, at `/openapi.json`, with Swagger UI at `/docs`.
 * Register before any documented route: @fastify/swagger only sees routes added after it.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
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
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
