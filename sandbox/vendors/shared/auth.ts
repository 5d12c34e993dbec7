/**
 * Authentication as vendors do it: an API key header, HTTP basic, or OAuth2 client credentials
 * (`POST <tokenPath>`, form-encoded, client authenticated by HTTP basic or form fields) with
 * tokens that expire. Tokens can be revoked at once to simulate an expired or revoked token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type SimulatorAuth =
  | { type: 'none' }
  | { type: 'apiKey'; header?: string; key: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2';
      clientId: string;
      clientSecret: string;
      /** How long a token really lasts (default 3600 s). */
      tokenTtlSeconds?: number;
      /** The `expires_in` announced, when a test wants a token to die before the client expects. */
      advertisedExpiresIn?: number;
      tokenPath?: string;
    };

export interface AuthCounters {
  tokensIssued: number;
  tokensRefused: number;
  requestsRefused: number;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function basicCredentials(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), pass: text.slice(colon + 1) };
}

export class SimulatorAuthenticator {
  private readonly tokens = new Map<string, number>();
  readonly counters: AuthCounters = { tokensIssued: 0, tokensRefused: 0, requestsRefused: 0 };

  constructor(
    readonly auth: SimulatorAuth,
    private readonly now: () => number = Date.now,
  ) {}

  get tokenPath(): string {
    return this.auth.type === 'oauth2' ? (this.auth.tokenPath ?? '/oauth/token') : '/oauth/token';
  }

  /** Forgets every token: the next request with one gets 401, as after a revocation. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** True when the request carries valid credentials. */
  accepts(request: FastifyRequest): boolean {
    const a = this.auth;
    switch (a.type) {
      case 'none':
        return true;
      case 'apiKey': {
        const value = request.headers[(a.header ?? 'x-api-key').toLowerCase()];
        return typeof value === 'string' && same(value, a.key);
      }
      case 'basic': {
        const c = basicCredentials(request.headers.authorization);
        return !!c && same(c.user, a.username) && same(c.pass, a.password);
      }
      case 'oauth2': {
        const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        const expires = m ? this.tokens.get(m[1]!) : undefined;
        if (expires === undefined) return false;
        if (expires <= this.now()) {
          this.tokens.delete(m![1]!);
          return false;
        }
        return true;
      }
    }
  }

  /** Registers the token endpoint (OAuth2 only). Needs a form-body parser on the app. */
  registerTokenEndpoint(app: FastifyInstance): void {
    const a = this.auth;
    if (a.type !== 'oauth2') return;
    app.post(this.tokenPath, async (request: FastifyRequest, reply: FastifyReply) => {
      const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      const basic = basicCredentials(request.headers.authorization);
      const id = basic ? decodeURIComponent(basic.user) : (form.get('client_id') ?? '');
      const secret = basic ? decodeURIComponent(basic.pass) : (form.get('client_secret') ?? '');
      if (form.get('grant_type') !== 'client_credentials') {
        return reply.code(400).send({ error: 'unsupported_grant_type' });
      }
      if (!same(id, a.clientId) || !same(secret, a.clientSecret)) {
        this.counters.tokensRefused++;
        return reply.code(401).header('www-authenticate', 'Basic').send({ error: 'invalid_client' });
      }
      const ttl = a.tokenTtlSeconds ?? 3600;
      const token = randomBytes(24).toString('base64url');
      this.tokens.set(token, this.now() + ttl * 1000);
      this.counters.tokensIssued++;
      return reply
        .header('cache-control', 'no-store')
        .send({ access_token: token, token_type: 'Bearer', expires_in: a.advertisedExpiresIn ?? ttl });
    });
  }
}

/** Adds a parser that hands `application/x-www-form-urlencoded` bodies over as text. */
export function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
}
