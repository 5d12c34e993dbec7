/**
 * The SSO relay as the settings make it: VNeID upstream in the configured personality, the hub's
 * account resolution by personal ID (src/identity/accounts.ts), and SSO events in the audit log.
 * Undefined when SSO_UPSTREAM is unset.
 */
import { readFileSync } from 'node:fs';
import { type Config, publicUrlOf } from '../config/index.ts';
import { CONSOLE_CLIENT_ID } from '../console/routes.ts';
import { createAccountResolver } from '../identity/accounts.ts';
import {
  createSsoAdmin,
  createSsoRelay,
  type SsoAdmin,
  type SsoLogger,
  type SsoRelay,
  type UpstreamOptions,
} from '../identity/sso/index.ts';
import { hubError } from '../sdk/errors.ts';
import { audit, type Database, type Keyring, type Principal } from '../store/index.ts';

/** The setting a missing public URL is reported under (SSO_PUBLIC_URL is PUBLIC_URL's older name). */
const PUBLIC_URL_SETTING = 'PUBLIC_URL (SSO_PUBLIC_URL)';

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === '') {
    throw hubError('SSO_NOT_CONFIGURED', { setting: name });
  }
  return value;
}

export function upstreamFromConfig(config: Config): UpstreamOptions | undefined {
  if (!config.SSO_UPSTREAM) return undefined;
  const clientId = required(config.VNEID_CLIENT_ID, 'VNEID_CLIENT_ID');
  const clientSecret = required(config.VNEID_CLIENT_SECRET, 'VNEID_CLIENT_SECRET');
  if (config.SSO_UPSTREAM === 'dvcqg') {
    return {
      personality: 'dvcqg',
      issuer: required(config.VNEID_ISSUER, 'VNEID_ISSUER'),
      clientId,
      clientSecret,
      pkce: config.VNEID_PKCE,
    };
  }
  const file = required(config.VNEID_PRIVATE_KEY_FILE, 'VNEID_PRIVATE_KEY_FILE');
  let privateKeyPem: string;
  try {
    privateKeyPem = readFileSync(file, 'utf8');
  } catch {
    throw hubError('SSO_NOT_CONFIGURED', {
      setting: {
        vi: `VNEID_PRIVATE_KEY_FILE đọc được (${file})`,
        en: `a readable VNEID_PRIVATE_KEY_FILE (${file})`,
      },
    });
  }
  return {
    personality: 'vneid-direct',
    baseUrl: required(config.VNEID_BASE_URL, 'VNEID_BASE_URL'),
    clientId,
    clientSecret,
    privateKeyPem,
    aesMode: config.VNEID_AES_MODE,
  };
}

/** The relay with explicit upstream options (the demo passes the sandbox's), or from the settings. */
export async function ssoRelayFor(
  config: Config,
  db: Database,
  keyring: Keyring,
  overrides: {
    upstream?: UpstreamOptions;
    publicUrl?: string;
    cookieKeys?: string[];
    logger?: SsoLogger;
  } = {},
): Promise<SsoRelay | undefined> {
  const upstream = overrides.upstream ?? upstreamFromConfig(config);
  if (!upstream) return undefined;
  const accounts = createAccountResolver({
    db,
    keyring,
    ...(config.SSO_DISTRICT_ADMINS ? { districtAdmins: config.SSO_DISTRICT_ADMINS } : {}),
  });
  return createSsoRelay({
    database: db,
    keyring,
    publicUrl: overrides.publicUrl ?? required(publicUrlOf(config), PUBLIC_URL_SETTING),
    cookieKeys: overrides.cookieKeys ?? required(config.SSO_COOKIE_KEYS, 'SSO_COOKIE_KEYS'),
    upstream,
    // The app's logger: one redaction and one request id for the whole process.
    ...(overrides.logger ? { logger: overrides.logger } : {}),
    resolveAccount: (citizen, policy) => accounts.resolveAccount(citizen, policy),
    findAccount: (accountId) => accounts.findAccount(accountId),
    audit: async (entry) => {
      // Who logged in is the account id (a keyed hash), never the ID number.
      await audit(db, {
        actor: entry.accountId ? `citizen:${entry.accountId.slice(0, 16)}` : 'anonymous',
        role: null,
        action: entry.action,
        resource: `sso-client:${entry.clientId}`,
        decision: entry.decision,
        detail: { upstream: entry.upstream, ...(entry.reason ? { reason: entry.reason } : {}) },
      });
    },
  });
}

/**
 * Client registration and key rotation as the settings allow them: the database and
 * PUBLIC_URL (the issuer the apps will be told), nothing of VNeID.
 */
export function ssoAdminFor(config: Config, db: Database, keyring: Keyring): SsoAdmin {
  return createSsoAdmin({
    database: db,
    keyring,
    publicUrl: required(publicUrlOf(config), PUBLIC_URL_SETTING),
  });
}

/**
 * The API caller behind an access token the relay issued to the district console: district staff
 * named in SSO_DISTRICT_ADMINS, with the schools listed there, and nobody else. A token issued to
 * a school app never reaches the API: those apps get claims about a person, not the hub's powers.
 */
export function consoleTokenPrincipal(
  config: Config,
  db: Database,
  keyring: Keyring,
  relay: SsoRelay,
): (token: string) => Promise<Principal | undefined> {
  const accounts = createAccountResolver({
    db,
    keyring,
    ...(config.SSO_DISTRICT_ADMINS ? { districtAdmins: config.SSO_DISTRICT_ADMINS } : {}),
  });
  return async (token) => {
    const holder = await relay.accessTokenHolder(token);
    if (!holder || holder.clientId !== CONSOLE_CLIENT_ID) return undefined;
    const account = await accounts.findAccount(holder.accountId, ['district_admin']);
    if (account?.claims.role !== 'district_admin') return undefined;
    const short = holder.accountId.slice(0, 16);
    return {
      id: `sso:${short}`,
      prefix: holder.accountId.slice(0, 8),
      actor: `sso:${short}`,
      kind: 'sso',
      role: 'district',
      schools: [...(account.claims.schools ?? [])],
      vendorAdapters: [],
    };
  };
}
