/**
 * Security headers on every answer of the hub (@fastify/helmet): no MIME sniffing, no framing
 * (the SSO pages are where people type nothing, but a framed sign-in still invites clickjacking),
 * a Content-Security-Policy that lets the hub's own pages work and nothing else load, and HSTS when
 * the public URL is https. Raw answers (oidc-provider's, behind `reply.hijack()`) get them too:
 * helmet sets them on the raw response at the start of the request.
 */
import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { type Config, publicUrlOf } from '../config/index.ts';
import { PAGE_STYLE } from '../identity/sso/pages.ts';

const HSTS_SECONDS = 180 * 24 * 60 * 60;

export async function registerSecurityHeaders(
  app: FastifyInstance,
  config: Pick<Config, 'PUBLIC_URL' | 'SSO_PUBLIC_URL'>,
): Promise<void> {
  const https = publicUrlOf(config)?.startsWith('https:') ?? false;
  // The SSO pages carry one inline stylesheet: allowed by its hash, not by 'unsafe-inline'.
  const pageStyle = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // oidc-provider adds the hash of its one inline script (the form_post page) to script-src.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", pageStyle],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        // No form-action: the sign-out form and form_post answers go on to the school
        // application's own address, which a browser checks against form-action too.
      },
    },
    frameguard: { action: 'deny' },
    hsts: https ? { maxAge: HSTS_SECONDS, includeSubDomains: false } : false,
    // The hub's JSON is read by other servers and its pages by browsers on the district network;
    // nothing of it is meant to be embedded by another site.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
