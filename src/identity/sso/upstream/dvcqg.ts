/**
 * DVCQG ("VNConnect", the national public-service portal's SSO in front of VNeID): a WSO2-style
 * OpenID Provider, spoken to with openid-client, which checks the ID token (issuer, audience,
 * expiry, signature against the JWKS, nonce) and the userinfo subject. Vietnamese PascalCase claims.
 */

import * as client from 'openid-client';
import { errorMessage } from '../../../model/error-catalogue.ts';
import { SsoConfigError, SsoRefusal } from '../errors.ts';
import type { DvcqgUpstreamOptions, UpstreamCitizen } from '../types.ts';
import { codeOf, isoDate, levelOf, personalIdOf, text } from './claims.ts';
import { checkUpstreamUrl, isPlainHttp } from './http.ts';
import type { Upstream, UpstreamTransaction } from './types.ts';

const TIMEOUT_SECONDS = 10;
/** `LoaiTaiKhoan` of a citizen ("2" business, "3" organisation). */
const CITIZEN = '1';

export function dvcqgUpstream(options: DvcqgUpstreamOptions, redirectUri: string): Upstream {
  checkUpstreamUrl(options.issuer, 'upstream.issuer', options.allowHttp);
  const discoveryUrl =
    options.discoveryUrl ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const urls = options.endpoints ? Object.values(options.endpoints) : [discoveryUrl];
  for (const url of urls) checkUpstreamUrl(url, 'upstream endpoint', options.allowHttp);
  const insecure = [options.issuer, ...urls].some(isPlainHttp);
  const pkce = options.pkce ?? true;
  const scope = options.scope ?? 'openid';
  const metadata: Partial<client.ClientMetadata> = {
    client_secret: options.clientSecret,
    id_token_signed_response_alg: 'RS256',
  };
  const auth =
    options.tokenAuthMethod === 'client_secret_post'
      ? client.ClientSecretPost(options.clientSecret)
      : client.ClientSecretBasic(options.clientSecret);

  let loading: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined; // the next sign-in tries discovery again
      throw error instanceof SsoConfigError
        ? error
        : new SsoRefusal('upstream_unavailable', { cause: error });
    });
    return loading;
  };

  async function load(): Promise<client.Configuration> {
    let config: client.Configuration;
    if (options.endpoints) {
      config = new client.Configuration(
        {
          issuer: options.issuer,
          authorization_endpoint: options.endpoints.authorization,
          token_endpoint: options.endpoints.token,
          userinfo_endpoint: options.endpoints.userinfo,
          jwks_uri: options.endpoints.jwks,
        },
        options.clientId,
        metadata,
        auth,
      );
      if (insecure) client.allowInsecureRequests(config);
    } else {
      // A URL with /.well-known/ is read as is (WSO2 serves discovery away from its issuer); the
      // issuer it announces is checked here instead.
      config = await client.discovery(new URL(discoveryUrl), options.clientId, metadata, auth, {
        timeout: TIMEOUT_SECONDS,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      if (config.serverMetadata().issuer !== options.issuer) {
        throw new SsoConfigError(
          'SSO_UPSTREAM_ISSUER_MISMATCH',
          errorMessage('SSO_UPSTREAM_ISSUER_MISMATCH', {}),
        );
      }
    }
    // openid-client (like OIDC Core §3.1.3.7) skips the ID token's signature when the token comes
    // straight from the token endpoint over TLS; the relay checks it against the JWKS all the same.
    client.enableNonRepudiationChecks(config);
    config.timeout = TIMEOUT_SECONDS;
    return config;
  }

  return {
    personality: 'dvcqg',

    async begin({ requiredLevel }) {
      const config = await configuration();
      const transaction: UpstreamTransaction = { state: client.randomState(), nonce: client.randomNonce() };
      const parameters: Record<string, string> = {
        redirect_uri: redirectUri,
        scope,
        state: transaction.state,
        nonce: transaction.nonce!,
        acr_values: `LoA${requiredLevel}`,
      };
      if (pkce) {
        transaction.codeVerifier = client.randomPKCECodeVerifier();
        parameters.code_challenge = await client.calculatePKCECodeChallenge(transaction.codeVerifier);
        parameters.code_challenge_method = 'S256';
      }
      return { url: client.buildAuthorizationUrl(config, parameters).href, transaction };
    },

    async complete(rawQuery: string, transaction: UpstreamTransaction): Promise<UpstreamCitizen> {
      const config = await configuration();
      // openid-client sends the callback URL (without its query) as redirect_uri: it must be ours.
      const currentUrl = new URL(`${redirectUri}?${rawQuery}`);
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      let userinfo: client.UserInfoResponse;
      try {
        tokens = await client.authorizationCodeGrant(config, currentUrl, {
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
          ...(transaction.codeVerifier ? { pkceCodeVerifier: transaction.codeVerifier } : {}),
        });
      } catch (error) {
        throw classify(error);
      }
      const idToken = tokens.claims()!;
      try {
        userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
      } catch (error) {
        throw classify(error, 'userinfo');
      }
      return citizenFromDvcqg(userinfo, idToken);
    },
  };
}

/**
 * openid-client's errors → refusal reasons. The errors carry the ID token's claims (the ID number
 * among them): they are kept as `cause` for a debugger, never logged.
 */
export function classify(error: unknown, step: 'token' | 'userinfo' = 'token'): SsoRefusal {
  if (error instanceof SsoRefusal) return error;
  if (error instanceof client.ResponseBodyError) {
    return new SsoRefusal(error.status >= 500 ? 'upstream_unavailable' : 'upstream_code_refused', {
      cause: error,
    });
  }
  if (error instanceof client.AuthorizationResponseError)
    return new SsoRefusal('upstream_denied', { cause: error });
  if (error instanceof client.ClientError) {
    const inner = error.cause as { message?: string; cause?: { claim?: string } } | undefined;
    switch (error.code) {
      case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
        return new SsoRefusal('id_token_expired', { cause: error });
      case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED': {
        const claim = inner?.cause?.claim;
        if (step === 'userinfo') return new SsoRefusal('claims_invalid', { cause: error });
        if (claim === 'nonce') return new SsoRefusal('id_token_nonce', { cause: error });
        if (claim === 'aud' || claim === 'azp') return new SsoRefusal('id_token_audience', { cause: error });
        if (claim === 'iss') return new SsoRefusal('id_token_issuer', { cause: error });
        return new SsoRefusal('id_token_invalid', { cause: error });
      }
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
        // userinfo's `sub` is not the ID token's: the answer is someone else's.
        return new SsoRefusal(step === 'userinfo' ? 'claims_invalid' : 'upstream_invalid_response', {
          cause: error,
        });
      case 'OAUTH_KEY_SELECTION_FAILED':
        return new SsoRefusal('id_token_signature', { cause: error });
      case 'OAUTH_INVALID_RESPONSE':
        if (/signature/i.test(inner?.message ?? error.message)) {
          return new SsoRefusal('id_token_signature', { cause: error });
        }
        return new SsoRefusal('upstream_invalid_response', { cause: error });
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
        return new SsoRefusal('upstream_unavailable', { cause: error });
      default:
        return new SsoRefusal('upstream_invalid_response', { cause: error });
    }
  }
  // fetch() failing (refused connection, timeout) surfaces as a TypeError or an AbortError.
  return new SsoRefusal('upstream_unavailable', { cause: error });
}

export function citizenFromDvcqg(
  userinfo: Record<string, unknown>,
  idToken: Record<string, unknown>,
): UpstreamCitizen {
  const accountType = codeOf(userinfo.LoaiTaiKhoan);
  if (accountType === undefined) throw new SsoRefusal('claims_invalid');
  if (accountType !== CITIZEN) throw new SsoRefusal('not_citizen');
  const personalId = personalIdOf(userinfo.SoDinhDanh);
  const fullName = text(userinfo.HoVaTen);
  if (!personalId || !fullName) throw new SsoRefusal('claims_invalid');
  const birthDate = isoDate(userinfo.NgayThangNamSinh);
  // The signed ID token's `acr` first; userinfo's `loAs` when the token has none; else the lowest.
  const accountLevel = levelOf(idToken.acr) ?? levelOf(userinfo.loAs) ?? 1;
  return {
    personalId,
    fullName,
    ...(birthDate ? { birthDate } : {}),
    accountLevel,
    upstream: 'dvcqg',
  };
}
