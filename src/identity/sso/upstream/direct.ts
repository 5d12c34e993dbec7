/**
 * Direct VNeID (C06/RAR), the non-standard personality openid-client cannot speak: no nonce, no
 * PKCE, no ID token; the code arrives base64 (maybe with `encrypt_key`), the token call is a form
 * post, and the token and userinfo answers are RSA+AES envelopes (see envelope.ts). Identity comes
 * from the decrypted userinfo alone.
 */

import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import { errorMessage } from '../../../model/error-catalogue.ts';
import { SsoConfigError, SsoRefusal } from '../errors.ts';
import type { DirectClaimName, UpstreamCitizen, VneidDirectUpstreamOptions } from '../types.ts';
import { codeOf, isoDate, levelOf, personalIdOf, text } from './claims.ts';
import { openEnvelope } from './envelope.ts';
import { checkUpstreamUrl, parseJson, upstreamFetch } from './http.ts';
import { parseRawQuery } from './query.ts';
import type { Upstream, UpstreamTransaction } from './types.ts';

const DEFAULT_CLAIM_NAMES: Record<DirectClaimName, string> = {
  personalId: 'citizenPid',
  fullName: 'fullName',
  birthDate: 'birthDate',
  accountType: 'accountType',
  accountLevel: 'accountLevel',
};

/** `accountType` of a citizen (2 and 3 are businesses and organisations on the DVCQG side). */
const CITIZEN = '1';

function loadPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new SsoConfigError(
      'SSO_UPSTREAM_KEY_INVALID',
      errorMessage('SSO_UPSTREAM_KEY_INVALID', { reason: { vi: 'không đọc được', en: 'cannot be read' } }),
      { cause },
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SsoConfigError(
      'SSO_UPSTREAM_KEY_INVALID',
      errorMessage('SSO_UPSTREAM_KEY_INVALID', { reason: { vi: 'phải là RSA', en: 'must be RSA' } }),
    );
  }
  return key;
}

export function directUpstream(options: VneidDirectUpstreamOptions, redirectUri: string): Upstream {
  const base = checkUpstreamUrl(options.baseUrl, 'upstream.baseUrl', options.allowHttp).href.replace(
    /\/+$/,
    '',
  );
  const privateKey = loadPrivateKey(options.privateKeyPem);
  const mode = options.aesMode ?? 'ecb';
  const names = { ...DEFAULT_CLAIM_NAMES, ...options.claimNames };
  const scope = options.scope ?? 'openid';

  return {
    personality: 'vneid-direct',

    async begin() {
      const state = randomBytes(32).toString('base64url');
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: redirectUri,
        scope,
        state,
      });
      return { url: `${base}/auth?${query}`, transaction: { state } };
    },

    async complete(rawQuery: string, _transaction: UpstreamTransaction): Promise<UpstreamCitizen> {
      const query = parseRawQuery(rawQuery);
      const code = query.get('code');
      if (!code) throw new SsoRefusal('upstream_invalid_response');
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uri: redirectUri,
      });
      const encryptKey = query.get('encrypt_key');
      if (encryptKey) form.set('encrypt_key', encryptKey);

      const token = await upstreamFetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
      if (token.status >= 500) throw new SsoRefusal('upstream_unavailable');
      if (token.status !== 200) throw new SsoRefusal('upstream_code_refused');
      const tokens = openEnvelope(parseJson(token.body), privateKey, mode);
      const accessToken = text(tokens.access_token);
      if (!accessToken) throw new SsoRefusal('upstream_invalid_response');

      const userinfo = await upstreamFetch(`${base}/userinfo`, {
        method: 'GET',
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      });
      if (userinfo.status >= 500) throw new SsoRefusal('upstream_unavailable');
      if (userinfo.status !== 200) throw new SsoRefusal('upstream_code_refused');
      const claims = openEnvelope(parseJson(userinfo.body), privateKey, mode);
      return citizenFromDirect(claims, names);
    },
  };
}

export function citizenFromDirect(
  claims: Record<string, unknown>,
  names: Record<DirectClaimName, string> = DEFAULT_CLAIM_NAMES,
): UpstreamCitizen {
  const accountType = codeOf(claims[names.accountType]);
  if (accountType === undefined) throw new SsoRefusal('claims_invalid');
  if (accountType !== CITIZEN) throw new SsoRefusal('not_citizen');
  const personalId = personalIdOf(claims[names.personalId]);
  const fullName = text(claims[names.fullName]);
  if (!personalId || !fullName) throw new SsoRefusal('claims_invalid');
  const birthDate = isoDate(claims[names.birthDate]);
  return {
    personalId,
    fullName,
    ...(birthDate ? { birthDate } : {}),
    // A level VNeID does not state is taken as the lowest.
    accountLevel: levelOf(claims[names.accountLevel]) ?? 1,
    upstream: 'vneid-direct',
  };
}
