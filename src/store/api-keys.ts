import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { bilingualLine, describeError, type ErrorValues } from '../model/error-catalogue.ts';
import { audit } from './audit.ts';
import { type Db, kyselyOf } from './db.ts';
import { API_KEY_ROLES, type ApiKeyRole } from './tables.ts';

// `eb_` + 8 hex characters (the stored, shown prefix) + `_` + 32 random bytes in base64url (43
// characters). The secret part may itself contain `_`, so the key is split by position, not by `_`.
const KEY_FORMAT = /^eb_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
const SCHOOL_CODE = /^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$/;
const ADAPTER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// Writing last_used_at on every request would turn every read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

/** What an API key may do: the caller of a `/v1` route, as `verifyApiKey` finds it. */
export interface Principal {
  /** The key's id, or `sso:` and the account for a person signed in through the hub's SSO relay. */
  id: string;
  /** The key's prefix; for a signed-in person, the first characters of the account id. */
  prefix: string;
  /** Who acts, as the audit log and the decisions record it: `key:<prefix>` or `sso:<account>`. */
  actor: string;
  /** How the caller authenticated. */
  kind: 'api-key' | 'sso';
  role: ApiKeyRole;
  schools: string[];
  vendorAdapters: string[];
}

export interface ApiKeyInput {
  role: ApiKeyRole;
  schools: readonly string[];
  vendorAdapters?: readonly string[];
  /** Who it is for, e.g. "Phòng GD Quận 1 – dashboard"; kept with the creation's audit entry. */
  label?: string;
  /** Who creates it, for the audit log; default `cli`. */
  actor?: string;
}

export interface ApiKeyInfo extends Omit<Principal, 'actor' | 'kind'> {
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** A key request that cannot be granted as asked; its message is the error catalogue's for `code`. */
export class ApiKeyInputError extends Error {
  override readonly name = 'ApiKeyInputError';
  readonly code: ApiKeyInputCode;
  constructor(code: ApiKeyInputCode, values: ErrorValues) {
    super(bilingualLine(describeError(code, values).message));
    this.code = code;
  }
}

type ApiKeyInputCode =
  | 'API_KEY_ROLE_UNKNOWN'
  | 'API_KEY_SCHOOL_INVALID'
  | 'API_KEY_ADAPTER_INVALID'
  | 'API_KEY_SCOPE_INVALID';

const badScope = (vi: string, en: string) =>
  new ApiKeyInputError('API_KEY_SCOPE_INVALID', { reason: { vi, en } });

/** Throws `ApiKeyInputError` when the role and its scope do not fit together. */
export function validateApiKeyInput(input: ApiKeyInput): void {
  const adapters = input.vendorAdapters ?? [];
  if (!(API_KEY_ROLES as readonly string[]).includes(input.role)) {
    throw new ApiKeyInputError('API_KEY_ROLE_UNKNOWN', { role: input.role, roles: API_KEY_ROLES.join(', ') });
  }
  const badSchool = input.schools.find((s) => !SCHOOL_CODE.test(s));
  if (badSchool !== undefined) {
    throw new ApiKeyInputError('API_KEY_SCHOOL_INVALID', { school: badSchool });
  }
  const badAdapter = adapters.find((a) => !ADAPTER_ID.test(a));
  if (badAdapter !== undefined) {
    throw new ApiKeyInputError('API_KEY_ADAPTER_INVALID', { adapter: badAdapter });
  }
  const n = input.schools.length;
  if (input.role === 'city' && n > 0) {
    throw badScope(
      'khoá "city" đọc được mọi trường, không nhận danh sách trường',
      'a city key reads every school and takes no school list',
    );
  }
  if (input.role === 'school' && n !== 1) {
    throw badScope(
      `khoá "school" cần đúng một trường (nhận ${n})`,
      `a school key covers exactly one school (got ${n})`,
    );
  }
  if ((input.role === 'district' || input.role === 'vendor') && n === 0) {
    throw badScope(
      `khoá "${input.role}" cần ít nhất một trường`,
      `a ${input.role} key needs at least one school`,
    );
  }
  if (input.role === 'vendor' && adapters.length === 0) {
    throw badScope('khoá "vendor" cần ít nhất một bộ chuyển đổi', 'a vendor key needs at least one adapter');
  }
  if (input.role !== 'vendor' && adapters.length > 0) {
    throw badScope('chỉ khoá "vendor" mới gắn với bộ chuyển đổi', 'only a vendor key is tied to adapters');
  }
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Creates a key and returns it: the only time the whole key exists outside its holder. Only its
 * SHA-256 is stored: the key is 32 random bytes, so there is nothing for a slow hash to stretch.
 *
 * @example
 * const { key } = await createApiKey(db, { role: 'district', schools: ['79NB0001', '79NB0002'] });
 */
export async function createApiKey(
  db: Db,
  input: ApiKeyInput,
): Promise<{ id: string; prefix: string; key: string }> {
  validateApiKeyInput(input);
  const schools = [...new Set(input.schools)];
  const vendorAdapters = [...new Set(input.vendorAdapters ?? [])];
  // 2^32 prefixes: a collision is rare, and the unique index turns it into a retry.
  for (let attempt = 0; ; attempt++) {
    const prefix = randomBytes(4).toString('hex');
    const key = `eb_${prefix}_${randomBytes(32).toString('base64url')}`;
    try {
      const id = await kyselyOf(db)
        .transaction()
        .execute(async (trx) => {
          const row = await trx
            .insertInto('api_keys')
            .values({
              prefix,
              hash: hashApiKey(key),
              role: input.role,
              schools,
              vendor_adapters: vendorAdapters,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await audit(trx, {
            actor: input.actor ?? 'cli',
            role: null,
            action: 'apikey:create',
            resource: `api_key:${prefix}`,
            decision: 'allow',
            detail: { role: input.role, schools, vendorAdapters, label: input.label ?? null },
          });
          return row.id;
        });
      return { id, prefix, key };
    } catch (error) {
      if (attempt < 3 && (error as { code?: string }).code === '23505') continue;
      throw error;
    }
  }
}

/**
 * The principal of a presented key, or null when it is malformed, unknown, revoked or wrong.
 * Marks the key used, at most once a minute.
 */
export async function verifyApiKey(db: Db, presented: string): Promise<Principal | null> {
  const match = KEY_FORMAT.exec(presented);
  if (!match) return null;
  const row = await kyselyOf(db)
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'hash', 'role', 'schools', 'vendor_adapters', 'revoked_at', 'last_used_at'])
    .where('prefix', '=', match[1]!)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  const expected = Buffer.from(row.hash, 'hex');
  const actual = createHash('sha256').update(presented).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;

  if (row.last_used_at === null || Date.now() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    await kyselyOf(db)
      .updateTable('api_keys')
      .set({ last_used_at: sql<Date>`now()` })
      .where('id', '=', row.id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
        ]),
      )
      .execute();
  }
  return {
    id: row.id,
    prefix: row.prefix,
    actor: `key:${row.prefix}`,
    kind: 'api-key',
    role: row.role,
    schools: row.schools,
    vendorAdapters: row.vendor_adapters,
  };
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

/** Revokes the key with this prefix; the row stays, so its audit entries keep meaning something. */
export async function revokeApiKey(db: Db, prefix: string, actor = 'cli'): Promise<RevokeOutcome> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const row = await trx
        .selectFrom('api_keys')
        .select(['id', 'revoked_at'])
        .where('prefix', '=', prefix)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return 'not-found';
      if (row.revoked_at !== null) return 'already-revoked';
      await trx
        .updateTable('api_keys')
        .set({ revoked_at: sql<Date>`now()` })
        .where('id', '=', row.id)
        .execute();
      await audit(trx, {
        actor,
        role: null,
        action: 'apikey:revoke',
        resource: `api_key:${prefix}`,
        decision: 'allow',
        detail: null,
      });
      return 'revoked';
    });
}

/** Every key, newest first, without hashes; revoked ones only when asked. */
export async function listApiKeys(db: Db, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
  let query = kyselyOf(db)
    .selectFrom('api_keys as k')
    .select([
      'k.id',
      'k.prefix',
      'k.role',
      'k.schools',
      'k.vendor_adapters',
      'k.created_at',
      'k.revoked_at',
      'k.last_used_at',
      // The table has no label column: the label lives in the key's creation entry of the audit log.
      sql<string | null>`(select a.detail->>'label' from audit_log a
        where a.action = 'apikey:create' and a.resource = 'api_key:' || k.prefix
        order by a.id desc limit 1)`.as('label'),
    ])
    .orderBy('k.created_at', 'desc')
    .orderBy('k.prefix');
  if (!options.includeRevoked) query = query.where('k.revoked_at', 'is', null);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    prefix: row.prefix,
    role: row.role,
    schools: row.schools,
    vendorAdapters: row.vendor_adapters,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  }));
}
