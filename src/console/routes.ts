/**
 * Serves the district console at `/console/`: the page, its hashed assets (cached for a year: a
 * new build has new names), and `config.json`, which tells the page where to sign in. Every
 * address in it comes from the hub's settings (PUBLIC_URL), never from the request.
 */
import type { FastifyInstance } from 'fastify';
import { consoleBundle } from './build.ts';

/** The client id the hub registers for its own console at its SSO relay. */
export const CONSOLE_CLIENT_ID = 'edubridge-console';

export interface ConsoleRoutesOptions {
  /** The hub's public URL (PUBLIC_URL); without it the page offers the API key only. */
  publicUrl: string | undefined;
  /** Whether the SSO relay runs (SSO_UPSTREAM set). */
  sso: boolean;
}

export async function consoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const base = options.publicUrl?.replace(/\/+$/, '');
  const config = {
    sso:
      options.sso && base
        ? {
            clientId: CONSOLE_CLIENT_ID,
            authorizationEndpoint: `${base}/sso/auth`,
            tokenEndpoint: `${base}/sso/token`,
            endSessionEndpoint: `${base}/sso/session/end`,
            redirectUri: `${base}/console/`,
          }
        : null,
  };

  app.get('/console', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/', 302),
  );

  app.get('/console/', { schema: { hide: true } }, async (_request, reply) => {
    const bundle = await consoleBundle();
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(bundle.html);
  });

  app.get('/console/config.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(config),
  );

  app.get<{ Params: { name: string } }>(
    '/console/assets/:name',
    { schema: { hide: true } },
    async (request, reply) => {
      const asset = (await consoleBundle()).assets.get(request.params.name);
      if (!asset) return reply.callNotFound();
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', asset.etag)
        .type(asset.contentType)
        .send(asset.body);
    },
  );
}
