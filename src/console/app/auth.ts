/**
 * Sign-in through the hub's own SSO relay: the console is a public OpenID Connect client of the
 * hub (authorization code with PKCE, RFC 7636), and VNeID signs the person in behind the relay.
 * Every address comes from the hub's `/console/config.json`, which takes them from its settings,
 * never from this page's URL.
 */
import { type Credential, saveCredential } from './api.ts';

export interface ConsoleConfig {
  sso: null | {
    clientId: string;
    authorizationEndpoint: string;
    tokenEndpoint: string;
    endSessionEndpoint: string;
    redirectUri: string;
  };
}

const PENDING = 'edubridge.console.pkce';

function randomText(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(data);
}

function base64url(data: Uint8Array): string {
  let text = '';
  for (const byte of data) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/console/config.json');
  return (await response.json()) as ConsoleConfig;
}

export async function startSignIn(config: NonNullable<ConsoleConfig['sso']>): Promise<void> {
  const verifier = randomText(48);
  const state = randomText(24);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(config.authorizationEndpoint, location.origin);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: config.redirectUri,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/**
 * When the relay sends the browser back with `?code=…&state=…`: trades the code for a token and
 * takes the query out of the address bar. Returns the error the relay gave, if any.
 */
export async function finishSignIn(config: ConsoleConfig): Promise<string | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const error = query.get('error');
  if (!code && !error) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  if (error) return query.get('error_description') ?? error;
  if (!config.sso || !pending || pending.state !== query.get('state')) return 'state mismatch';
  const response = await fetch(config.sso.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: config.sso.redirectUri,
      client_id: config.sso.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token)
    return body.error_description ?? body.error ?? `HTTP ${response.status}`;
  const credential: Credential = {
    kind: 'token',
    token: body.access_token,
    expiresAt: Date.now() + (body.expires_in ?? 600) * 1000,
  };
  saveCredential(credential);
  return undefined;
}
