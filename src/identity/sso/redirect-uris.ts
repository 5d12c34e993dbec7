/**
 * The redirect URI policy of the school applications, after RFC 8252 (§7.3, §8.3) and RFC 9700
 * (§2.1, §4.1): where the relay may send a browser carrying an authorization code.
 *
 * - an absolute URL, as given: no spaces or control characters, which the URL parser would drop
 *   silently, so that the URI checked is the URI stored and later compared;
 * - `https`, or `http` on a loopback host only (an app on the user's own machine): a code sent over
 *   plain http to any other host can be read on the way;
 * - no user name or password (`user:pass@host`): a credential in a URI ends up in logs and history,
 *   and `https://trusted.example@evil.example/` reads as one host and goes to another;
 * - no fragment: the response parameters would be appended after it, where they are lost or leak.
 *
 * Matching at authorization is exact (string equality, done by oidc-provider for `web` clients,
 * which every registration is); this module only decides what may be registered. It is pure, so
 * the CLI checks its flags before opening the store, `addClient` before writing, and the store
 * again when it reads a client back (a registration written before the policy, or by hand).
 */
import { type Bilingual, errorMessage } from '../../model/error-catalogue.ts';
import { SsoClientInputError } from './errors.ts';

/** The hosts plain http is allowed on (RFC 8252 §7.3; `[::1]` as the URL parser spells it). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

export type RedirectUriCode =
  | 'SSO_REDIRECT_URI_INVALID'
  | 'SSO_REDIRECT_URI_NOT_HTTPS'
  | 'SSO_REDIRECT_URI_USERINFO'
  | 'SSO_REDIRECT_URI_FRAGMENT';

/** What is wrong with one URI: its code, and what the message needs besides which URI it is. */
export type RedirectUriProblem =
  | { code: 'SSO_REDIRECT_URI_INVALID'; reason: Bilingual }
  | { code: Exclude<RedirectUriCode, 'SSO_REDIRECT_URI_INVALID'>; uri: string };

/** The two lists a registration holds, as oidc-provider names them. */
export type RedirectUriList = 'redirect_uris' | 'post_logout_redirect_uris';

// Anything the WHATWG parser would strip or re-encode instead of refusing (tab, newline, space …).
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/**
 * The URI as it may be shown in a message: scheme, host and path only. User name, password, query
 * and fragment can carry secrets, and the person registering knows which URI they typed.
 */
function shown(url: URL, withUserinfo = false): string {
  // A scheme without a host (`javascript:…`, `com.app:/cb`): the scheme is the problem, the rest
  // may be anything.
  if (url.host === '') return `${url.protocol}…`;
  return `${url.protocol}//${withUserinfo ? '…@' : ''}${url.host}${url.pathname}`;
}

/** The authority as written (between `//` and the next `/`, `?` or `#`), or undefined if none. */
function writtenAuthority(uri: string): string | undefined {
  const start = uri.indexOf('//');
  const scheme = uri.indexOf(':');
  if (start < 0 || scheme < 0 || start !== scheme + 1) return undefined;
  const rest = uri.slice(start + 2);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Why `uri` may not be registered, or undefined when it may.
 *
 * @example
 * redirectUriProblem('https://smas.example/cb') // undefined
 * redirectUriProblem('http://127.0.0.1:8080/cb') // undefined
 * redirectUriProblem('http://smas.example/cb')?.code // 'SSO_REDIRECT_URI_NOT_HTTPS'
 */
export function redirectUriProblem(uri: string): RedirectUriProblem | undefined {
  if (typeof uri !== 'string' || uri === '') {
    return { code: 'SSO_REDIRECT_URI_INVALID', reason: { vi: 'để trống', en: 'it is empty' } };
  }
  if (SPACE_OR_CONTROL.test(uri)) {
    return {
      code: 'SSO_REDIRECT_URI_INVALID',
      reason: { vi: 'có khoảng trắng hoặc ký tự điều khiển', en: 'it holds spaces or control characters' },
    };
  }
  const url = URL.parse(uri);
  if (!url) {
    return {
      code: 'SSO_REDIRECT_URI_INVALID',
      reason: {
        vi: 'không đọc được thành URL có giao thức và máy chủ',
        en: 'it does not parse as a URL with a scheme and host',
      },
    };
  }
  // The parser drops an empty user name (`https://@host/`): look at what was written too.
  if (url.username !== '' || url.password !== '' || writtenAuthority(uri)?.includes('@')) {
    return { code: 'SSO_REDIRECT_URI_USERINFO', uri: shown(url, true) };
  }
  // `url.hash` is empty for a bare trailing `#`, which still breaks the response's parameters.
  if (uri.includes('#')) return { code: 'SSO_REDIRECT_URI_FRAGMENT', uri: shown(url) };
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure || url.hostname === '') return { code: 'SSO_REDIRECT_URI_NOT_HTTPS', uri: shown(url) };
  return undefined;
}

const LIST_NAMES: Readonly<Record<RedirectUriList, Bilingual>> = {
  redirect_uris: { vi: 'redirect URI', en: 'redirect URI' },
  post_logout_redirect_uris: { vi: 'URI sau đăng xuất', en: 'post-logout URI' },
};

/** The error for the first URI of `uris` that breaks the policy, or undefined when none does. */
export function redirectUriError(
  uris: readonly string[],
  list: RedirectUriList,
): SsoClientInputError | undefined {
  for (const [index, uri] of uris.entries()) {
    const problem = redirectUriProblem(uri);
    if (!problem) continue;
    const name = LIST_NAMES[list];
    const which = { vi: `${name.vi} thứ ${index + 1}`, en: `${name.en} #${index + 1}` };
    const message =
      problem.code === 'SSO_REDIRECT_URI_INVALID'
        ? errorMessage(problem.code, { which, reason: problem.reason })
        : errorMessage(problem.code, { which, uri: problem.uri });
    return new SsoClientInputError(problem.code, message);
  }
  return undefined;
}

/** Throws the typed error of the first URI of `uris` that breaks the policy. */
export function checkRedirectUris(uris: readonly string[], list: RedirectUriList): void {
  const error = redirectUriError(uris, list);
  if (error) throw error;
}

/**
 * The code of the first URI a stored registration holds that breaks the policy, either list; for
 * the store, which refuses such a client when it reads it back.
 */
export function storedClientProblem(metadata: Record<string, unknown>): RedirectUriCode | undefined {
  for (const list of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    const uris = metadata[list];
    if (uris === undefined && list === 'post_logout_redirect_uris') continue;
    if (!Array.isArray(uris) || (list === 'redirect_uris' && uris.length === 0)) {
      return 'SSO_REDIRECT_URI_INVALID';
    }
    for (const uri of uris) {
      const problem = redirectUriProblem(uri as string);
      if (problem) return problem.code;
    }
  }
  return undefined;
}
