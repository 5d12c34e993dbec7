import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_ROLES } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

export const principalSchema = z
  .object({
    id: z.string().describe('The key’s id, or `sso:` and the account for a person signed in with VNeID'),
    prefix: z
      .string()
      .describe(
        'The first characters of the key, as shown in `edubridge apikey list` (of the account for SSO)',
      ),
    actor: z.string().describe('Who acts, as the audit log records it: `key:<prefix>` or `sso:<account>`'),
    kind: z
      .enum(['api-key', 'sso'])
      .describe('An API key, or a district user signed in through the SSO relay'),
    role: z.enum(API_KEY_ROLES),
    schools: z.array(z.string()).describe('Schools the key covers; empty for a city key, which reads all'),
    vendorAdapters: z.array(z.string()).describe('Adapters whose runs a vendor key reaches'),
  })
  .meta({
    id: 'Principal',
    description: 'The API key or signed-in district user making the request, without any secret',
  });

export const whoamiRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/whoami',
    {
      schema: {
        operationId: 'getWhoami',
        tags: ['auth'],
        summary: 'Khoá API đang dùng / The API key making the request',
        security: SECURED,
        response: { 200: principalSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      const principal = await authorize(request, { action: 'whoami:read' });
      return { ...principal };
    },
  );
};
