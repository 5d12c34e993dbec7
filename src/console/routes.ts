/**
 * Serves the district console at `/console/`: the page, its hashed assets (cached for a year: a
 * new build has new names), and `config.json`, which tells the page where to sign in. Every
 * address in it comes from the hub's settings (PUBLIC_URL), never from the request.
 */
import type { FastifyInstance } from 'fastify';
import type { SsoRelay } from '../identity/sso/index.ts';
import { consoleBundle } from './build.ts';

/** The client id the hub registers for its own console at its SSO relay. */
export const CONSOLE_CLIENT_ID = 'edubridge-console';

export interface ConsoleRoutesOptions {
  /** The hub's public URL (PUBLIC_URL); without it the page offers the API key only. */
  publicUrl: string | undefined;
  /** The SSO relay, when it runs (SSO_UPSTREAM set): the console registers itself there as a client. */
  sso: SsoRelay | null;
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

  // The console's client at the relay, registered when a page first asks how to sign in (the
  // database may still be migrating while the app starts); tried again after a failure.
  let registered: Promise<void> | undefined;
  const ensureClient = () => {
    if (!options.sso || !config.sso) return Promise.resolve();
    registered ??= options.sso
      .registerFirstPartyClient({
        clientId: CONSOLE_CLIENT_ID,
        name: 'EduBridge – bảng điều khiển quận / district console',
        redirectUris: [config.sso.redirectUri],
        allowedRoles: ['district_admin'],
      })
      .catch((error: unknown) => {
        registered = undefined;
        throw error;
      });
    return registered;
  };

  app.get('/console/config.json', { schema: { hide: true } }, async (request, reply) => {
    try {
      await ensureClient();
    } catch (error) {
      // The page still offers the API key; the relay's sign-in waits for the next visit.
      request.log.warn({ err: error }, 'console sso client registration failed');
      return reply.header('cache-control', 'no-store').send({ sso: null });
    }
    return reply.header('cache-control', 'no-cache').send(config);
  });

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
