/**
 * What the hub's logs never hold, for every process (the API with its SSO relay, the workers):
 * pino `redact` paths for keys, secrets, OAuth codes, states and tokens, cookies and personal
 * fields, and a request serializer that logs a URL's path and the names of its query parameters,
 * never their values (an SSO callback's `?code=…&state=…`, a search by name).
 */
import type { FastifyRequest } from 'fastify';

// pino matches `*.x` one level deep only, so the top-level keys are listed too; Fastify's request
// serializer leaves headers out, so `headers.*` covers the usual slip of logging `request.headers`.
// Redaction never reaches message strings: personal data and secrets must not be put there at all.
const SECRET_FIELDS = [
  // Credentials and keys.
  'authorization',
  'cookie',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'privateKey',
  'privateKeyPem',
  // OAuth 2 / OpenID Connect: what would let someone finish or replay a sign-in. Not `code`
  // alone: that is the hub's error code in most log lines, and what an operator searches for; an
  // OAuth code comes in a query or a body, which are left out whole (below), or by its own name.
  'authorizationCode',
  'code_verifier',
  'codeVerifier',
  'nonce',
  'token',
  'accessToken',
  'access_token',
  'idToken',
  'id_token',
  'refreshToken',
  'refresh_token',
  'client_assertion',
  // Personal data.
  'personalId',
  'personal_id',
  'fullName',
  'birthDate',
  'phone',
  'email',
  'address',
];

/** What pino leaves out of every log line of the hub's processes. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  // A request's query and body, should someone log them: values a client sent (codes, states,
  // records), never the hub's own words.
  'query',
  '*.query',
  'body',
  '*.body',
];

/** A URL as logged: its path, and its query's parameter names with the values left out. */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      // A name is no secret, but a very long one may be a value sent without a name.
      return `${name.length > 40 ? `${name.slice(0, 40)}…` : name}=…`;
    });
  return `${url.slice(0, at)}?${names.join('&')}`;
}

/** Fastify's request serializer, with the URL's query values left out. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
