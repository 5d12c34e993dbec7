import { errorMessage } from '../../../model/error-catalogue.ts';
import { SsoConfigError, SsoRefusal } from '../errors.ts';

const TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1 << 20;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** https, or plain http to a loopback sandbox (or anywhere when `allowHttp`, for a sandbox elsewhere). */
export function checkUpstreamUrl(value: string, what: string, allowHttp = false): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new SsoConfigError(
      'SSO_UPSTREAM_URL_INVALID',
      errorMessage('SSO_UPSTREAM_URL_INVALID', {
        setting: what,
        reason: { vi: 'không phải URL hợp lệ', en: 'is not a valid URL' },
      }),
      { cause },
    );
  }
  const insecure = url.protocol === 'http:';
  if (url.protocol !== 'https:' && !insecure) {
    throw new SsoConfigError(
      'SSO_UPSTREAM_URL_INVALID',
      errorMessage('SSO_UPSTREAM_URL_INVALID', {
        setting: what,
        reason: { vi: 'phải dùng https', en: 'must use https' },
      }),
    );
  }
  if (insecure && !allowHttp && !LOOPBACK.has(url.hostname)) {
    throw new SsoConfigError(
      'SSO_UPSTREAM_URL_INSECURE',
      errorMessage('SSO_UPSTREAM_URL_INSECURE', { setting: what }),
    );
  }
  return url;
}

export function isPlainHttp(value: string): boolean {
  return new URL(value).protocol === 'http:';
}

/** A call to VNeID: no redirects followed, a timeout, a bounded body. Network trouble → `upstream_unavailable`. */
export async function upstreamFetch(
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: string }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (cause) {
    throw new SsoRefusal('upstream_unavailable', { cause });
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) throw new SsoRefusal('upstream_invalid_response');
  let body: string;
  try {
    body = await response.text();
  } catch (cause) {
    throw new SsoRefusal('upstream_unavailable', { cause });
  }
  if (body.length > MAX_BODY_BYTES) throw new SsoRefusal('upstream_invalid_response');
  return { status: response.status, body };
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new SsoRefusal('upstream_invalid_response', { cause });
  }
}
