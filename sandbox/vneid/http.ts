/** Small node:http helpers: bodies with a limit, JSON, HTML, redirects, OAuth errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bilingual } from './pages.ts';

const BODY_LIMIT = 64 * 1024;

export class BodyTooLarge extends Error {
  readonly code = 'body_too_large';
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new BodyTooLarge('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The media type without parameters, lower case (`application/x-www-form-urlencoded`). */
export const mediaType = (request: IncomingMessage) =>
  (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

export const isForm = (request: IncomingMessage) =>
  mediaType(request) === 'application/x-www-form-urlencoded';

/** Form fields; a field sent twice is reported so the caller can refuse it (RFC 6749 §3.1). */
export function parseForm(body: string): { fields: Record<string, string>; repeated: string[] } {
  const fields: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [name, value] of new URLSearchParams(body)) {
    if (name in fields) repeated.push(name);
    fields[name] = value;
  }
  return { fields, repeated };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    // No form-action: the login form's answer redirects to the client's registered redirect URI on
    // another origin, and browsers check that redirect against form-action too.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  response.end(html);
}

/** A 302 whose Location is written as given: the direct personality's raw `+` must survive. */
export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0 });
  response.end();
}

/** Appends a query string to a registered redirect_uri without re-encoding what it already holds. */
export const appendQuery = (uri: string, query: string) => `${uri}${uri.includes('?') ? '&' : '?'}${query}`;

export interface OAuthError {
  error: string;
  vi: string;
  en: string;
}

/** `{ error, error_description }` with the description in Vietnamese / English. */
export function sendOAuthError(
  response: ServerResponse,
  status: number,
  e: OAuthError,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { error: e.error, error_description: bilingual(e) }, headers);
}

/** The Bearer token of the Authorization header, if there is exactly one. */
export function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+([^\s]+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}
