/**
 * The public shapes of the sandbox VNeID identity provider. The hub's SSO relay and its tests are
 * written against these names: add to them, never rename.
 */
import type { KeyObject } from 'node:crypto';

/**
 * `dvcqg`: the National Public Service Portal SSO ("VNConnect", WSO2 Identity Server style), a plain
 * OIDC code flow. `vneid-direct`: the C06 direct integration, OIDC-like but with encrypted
 * `{"data","key"}` bodies, no id_token and no nonce (domain README §1.1).
 */
export type VneidPersonality = 'dvcqg' | 'vneid-direct';

export interface VneidCitizen {
  /** 12 digits, leading zeros kept. */
  personalId: string;
  fullName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  gender: 'male' | 'female';
  /** The level of the citizen's VNeID account (default 2): they cannot log in above it. */
  accountLevel?: 1 | 2;
}

export interface VneidClient {
  clientId: string;
  clientSecret: string;
  /** Compared exactly, character for character, with the `redirect_uri` of each call. */
  redirectUris: string[];
  /**
   * vneid-direct: the relying party's RSA public key (SPKI PEM) that encrypts the AES keys of the
   * `{"data","key"}` bodies and of `encrypt_key`. Required for that personality.
   */
  publicKeyPem?: string;
}

/**
 * Misbehaviour for the relay's security tests; it lasts until `setAttack(null)`.
 * - `id_token_foreign_key` (dvcqg): the id_token is signed by another RSA key under the **same
 *   `kid`** as the JWKS key, so only a real signature check catches it (not a missing-kid lookup).
 * - `id_token_expired` (dvcqg): `exp` an hour in the past, `iat` and `auth_time` one lifetime before.
 * - `id_token_wrong_nonce` (dvcqg): `nonce` is a fresh random value (present even if none was sent).
 * - `id_token_wrong_audience` (dvcqg): `aud` names another client (another registered one when there
 *   is one, else `another-client`); `azp` is left as it was.
 * - `userinfo_tampered`: vneid-direct flips bytes of the encrypted `data` so that decryption or JSON
 *   parsing fails; dvcqg answers a `sub` that differs from the id_token's (OIDC Core §5.3.2).
 */
export type VneidAttack =
  | 'id_token_foreign_key'
  | 'id_token_expired'
  | 'id_token_wrong_nonce'
  | 'id_token_wrong_audience'
  | 'userinfo_tampered';

export interface VneidSandboxOptions {
  personality: VneidPersonality;
  citizens: VneidCitizen[];
  clients: VneidClient[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Authorization code lifetime: default 60 000 for dvcqg, 5 000 for vneid-direct. */
  codeTtlMs?: number;
  /** Access token and id_token lifetime, default 300. */
  tokenTtlSeconds?: number;
  /** vneid-direct only: encrypt the code and add `encrypt_key` on the callback (default false). */
  encryptCode?: boolean;
  /**
   * dvcqg: the RSA private key (≥ 2048 bits; KeyObject or PEM) that signs id_tokens, published in
   * the JWKS. Default: a fresh key per sandbox. Tests that start many sandboxes pass one to save
   * the key generation.
   */
  signingKey?: KeyObject | string;
}

export interface VneidRequestRecord {
  method: string;
  /** The path without its query: no codes, tokens or personal data. */
  path: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface VneidSandbox {
  personality: VneidPersonality;
  /** Base URL, no trailing slash. */
  url: string;
  /** dvcqg: `${url}/oauth2/token` (WSO2 IS style); vneid-direct: `url`. */
  issuer: string;
  setAttack(attack: VneidAttack | null): void;
  /** Registers a client, or replaces the one with the same `clientId`. */
  addClient(client: VneidClient): void;
  /**
   * Completes a login without a browser, as a person clicking the login page would: GETs the full
   * authorization URL the relying party built, POSTs the login form, and returns the callback URL
   * (redirect_uri with code, state, and encrypt_key when used). An error the sandbox sends back to
   * the relying party (`error=access_denied` …) is a callback URL too; an error shown on the page
   * throws a {@link VneidLoginError}.
   */
  login(authorizationUrl: string, personalId: string, accountLevel?: 1 | 2): Promise<string>;
  requests: VneidRequestRecord[];
  close(): Promise<void>;
}

/** An error the login page showed instead of redirecting (unknown client, level refused …). */
export class VneidLoginError extends Error {
  override readonly name = 'VneidLoginError';
  constructor(
    /** A stable code: `invalid_client`, `invalid_redirect_uri`, `level_refused`, `unknown_citizen` … */
    readonly code: string,
    /** The page's message, Vietnamese / English. */
    message: string,
    /** The page's HTTP status. */
    readonly status: number,
  ) {
    super(message);
  }
}
