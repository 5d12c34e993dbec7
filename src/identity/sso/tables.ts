import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';

// A type, not an interface: Kysely's `withTables` wants an index-signature-compatible shape.
/** Tables of migration 0006_sso, known to this module only (the store's `Tables` need not list them). */
export type SsoTables = {
  sso_payloads: {
    model: string;
    id: string;
    payload: ColumnType<Record<string, unknown>, string, string>;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: Date | null;
    consumed_at: Date | null;
    sealed: Buffer | null;
    key_id: string | null;
    created_at: ColumnType<Date, never, never>;
  };
  sso_signing_keys: {
    kid: string;
    alg: string;
    sealed: Buffer;
    key_id: string;
    created_at: ColumnType<Date, Date | undefined, never>;
    retired_at: Date | null;
  };
};

export type SsoDb = Kysely<SsoTables>;

export function ssoDb(database: Database): SsoDb {
  return database.kysely.withTables<SsoTables>() as unknown as SsoDb;
}
