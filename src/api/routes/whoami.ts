import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_ROLES } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

export const principalSchema = z
  .object({
    id: z.uuid(),
    prefix: z.string().describe('The first characters of the key, as shown in `edubridge apikey list`'),
    role: z.enum(API_KEY_ROLES),
    schools: z.array(z.string()).describe('Schools the key covers; empty for a city key, which reads all'),
    vendorAdapters: z.array(z.string()).describe('Adapters whose runs a vendor key reaches'),
  })
  .meta({ id: 'Principal', description: 'The API key making the request, without its secret' });

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
