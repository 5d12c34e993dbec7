/**
 * The relay's contract with the rest of the hub: what it is given (the database, the keyring, an
 * account resolver, an audit sink) and what it gives back (routes to mount, client registration,
 * key rotation). Who a citizen is for the schools (teacher, guardian …) is the resolver's business;
 * the relay only checks the level of assurance and the role against each school application's policy.
 */
import type { FastifyInstance } from 'fastify';
import type { Database, Keyring } from '../../store/index.ts';

export type Role = 'teacher' | 'guardian' | 'student' | 'district_admin';

export const ROLES: readonly Role[] = ['teacher', 'guardian', 'student', 'district_admin'];

/** Roles a school application accepts when it names none: everyone but students. */
export const DEFAULT_ALLOWED_ROLES: readonly Role[] = ['teacher', 'guardian', 'district_admin'];

/** A citizen as VNeID (either personality) vouched for them. Holds the ID number: never log it. */
export interface UpstreamCitizen {
  personalId: string;
  fullName: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  accountLevel: 1 | 2;
  upstream: UpstreamPersonality;
}

export type UpstreamPersonality = 'dvcqg' | 'vneid-direct';

export interface SsoClientPolicy {
  clientId: string;
  allowedRoles: Role[];
  requiredLevel: 1 | 2;
}

export interface AccountClaims {
  role: Role;
  name: string;
  schools: string[];
  teacher_codes?: string[];
  students?: Array<{ school: string; student_code: string }>;
}

export type AccountResolution =
  | { ok: true; accountId: string; claims: AccountClaims }
  | { ok: false; reason: 'unknown_citizen' | 'no_verified_guardianship' | 'role_not_allowed' };

export type ResolvedAccount = AccountResolution & { ok: true };

/**
 * DVCQG ("VNConnect", xacthuc.dichvucong.gov.vn): standard-ish OpenID Connect, read by openid-client.
 * Discovery is used unless `endpoints` are given.
 */
export interface DvcqgUpstreamOptions {
  personality: 'dvcqg';
  /** The `iss` of its ID tokens (WSO2 style: `https://xacthuc.dichvucong.gov.vn/oauth2/token`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Send PKCE (S256) upstream; default true. The real DVCQG was never seen using it. */
  pkce?: boolean;
  /** Manual endpoints instead of discovery. */
  endpoints?: { authorization: string; token: string; userinfo: string; jwks: string };
  /** Discovery document URL; default `${issuer}/.well-known/openid-configuration`. */
  discoveryUrl?: string;
  /** Default `openid`. */
  scope?: string;
  /** How the hub authenticates at the token endpoint; default `client_secret_basic`. */
  tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Plain http to a host other than loopback (a sandbox on another machine). Never in production. */
  allowHttp?: boolean;
}

export type DirectClaimName = 'personalId' | 'fullName' | 'birthDate' | 'accountType' | 'accountLevel';

/** Direct VNeID (C06/RAR): OIDC-like, encrypted token and userinfo bodies, no ID token. */
export interface VneidDirectUpstreamOptions {
  personality: 'vneid-direct';
  /** e.g. `https://sso.dancuquocgia.gov.vn`, no trailing slash: `/auth`, `/token`, `/userinfo` hang off it. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The relay's RSA private key (PKCS#8 or PKCS#1 PEM); VNeID holds the public half. */
  privateKeyPem: string;
  /** How `data` is encrypted: `ecb` (VNeID sample code, default) or `cbc-iv-prefix` (IV in the first 16 bytes). */
  aesMode?: 'ecb' | 'cbc-iv-prefix';
  /** Userinfo member names, when VNeID spells them otherwise than `citizenPid`, `fullName` … */
  claimNames?: Partial<Record<DirectClaimName, string>>;
  /** Default `openid`. */
  scope?: string;
  /** Plain http to a host other than loopback (a sandbox on another machine). Never in production. */
  allowHttp?: boolean;
}

export type UpstreamOptions = DvcqgUpstreamOptions | VneidDirectUpstreamOptions;

export interface SsoAuditEntry {
  action: 'sso:login' | 'sso:refuse' | 'sso:logout';
  decision: 'allow' | 'deny';
  clientId: string;
  reason?: string;
  /** The pseudonymous account id; never the ID number. */
  accountId?: string;
  upstream: string;
}

export interface SsoLogger {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface SsoRelayOptions {
  database: Database;
  keyring: Keyring;
  /** The hub's public base URL, without a path (`https://hub.example.vn`); the issuer is `${publicUrl}/sso`. */
  publicUrl: string;
  /** Sign the session and interaction cookies; the first signs, all verify (rotate by prepending). */
  cookieKeys: string[];
  upstream: UpstreamOptions;
  resolveAccount(citizen: UpstreamCitizen, policy: SsoClientPolicy): Promise<AccountResolution>;
  /**
   * Re-reads an account's claims (token and userinfo calls); undefined when it no longer exists.
   * `allowedRoles`: the application's, so someone with two roles keeps the one it signed in with.
   */
  findAccount(accountId: string, allowedRoles?: readonly Role[]): Promise<ResolvedAccount | undefined>;
  audit(entry: SsoAuditEntry): Promise<void>;
  logger?: SsoLogger;
  /** How long a replaced signing key stays in the JWKS; default 7 days. */
  signingKeyRetentionMs?: number;
  /** How often a process looks for a key another process rotated; default 60 s. */
  keyRefreshMs?: number;
  /** Lifetime of the hub's SSO session (seconds); default 8 hours, a school day. */
  sessionTtlSeconds?: number;
}

export interface AddClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  authMethod?: 'client_secret_basic' | 'private_key_jwt';
  /** The client's public keys, for `private_key_jwt`. */
  jwks?: object;
  allowedRoles?: Role[];
  requiredLevel?: 1 | 2;
}

export interface AddedClient {
  clientId: string;
  /** Present for `client_secret_basic`; shown once, kept sealed. */
  clientSecret?: string;
  issuer: string;
}

/** What an administrator does to the relay's store: register school apps, rotate the signing key. */
export interface SsoAdmin {
  addClient(input: AddClientInput): Promise<AddedClient>;
  rotateSigningKey(): Promise<{ kid: string }>;
  close(): Promise<void>;
}

export interface SsoRelay extends SsoAdmin {
  /** Mounts `/sso/*` (the OpenID Provider, the interaction and the VNeID callback) on the app. */
  register(app: FastifyInstance): Promise<void>;
  /**
   * Registers, or updates, one of the hub's own pages as a public client: a fixed id, no secret
   * (a page cannot keep one), PKCE as for every client. The district console is one.
   */
  registerFirstPartyClient(input: FirstPartyClientInput): Promise<void>;
  /** Whose access token this is, when the relay issued it and it has not expired; else undefined. */
  accessTokenHolder(token: string): Promise<{ accountId: string; clientId: string } | undefined>;
}

export interface FirstPartyClientInput {
  clientId: string;
  name: string;
  redirectUris: string[];
  allowedRoles: Role[];
}

/** An admin needs the store and the public address only: no upstream, no cookie keys. */
export type SsoAdminOptions = Pick<SsoRelayOptions, 'database' | 'keyring' | 'publicUrl' | 'logger'>;
