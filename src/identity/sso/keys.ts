/**
 * The relay's ID-token signing keys: RSA (RS256), stored sealed in `sso_signing_keys`. The newest
 * signs; a replaced key stays published in the JWKS for the retention period so that tokens it
 * signed still verify at the school applications.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'oidc-provider';
import { type Keyring, seal, unseal } from '../../store/index.ts';
import type { SsoDb } from './tables.ts';

const generateRsa = promisify(generateKeyPair);

export interface SigningKeys {
  /** Newest first: the first signs. Private JWKs, for oidc-provider only. */
  keys: JWK[];
  /** The kid that signs now. */
  current: string;
}

async function newJwk(): Promise<JWK> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  // A date prefix tells an operator which key is which; the random part keeps two rotations on the
  // same day (or two processes starting together) apart.
  const kid = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

/** Adds a new signing key and retires the others; returns its kid. */
export async function rotate(db: SsoDb, keyring: Keyring): Promise<string> {
  const jwk = await newJwk();
  const box = seal(keyring, jwk);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('sso_signing_keys')
      .set({ retired_at: new Date() })
      .where('retired_at', 'is', null)
      .execute();
    await tx
      .insertInto('sso_signing_keys')
      .values({ kid: jwk.kid!, alg: 'RS256', sealed: box.payload, key_id: box.keyId, retired_at: null })
      .execute();
  });
  return jwk.kid!;
}

/** The kid that signs now, or undefined before the first key exists. */
export async function currentKid(db: SsoDb): Promise<string | undefined> {
  const row = await db
    .selectFrom('sso_signing_keys')
    .select('kid')
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.kid;
}

/** The published keys (current first), creating the first one if there is none. */
export async function loadSigningKeys(
  db: SsoDb,
  keyring: Keyring,
  retentionMs: number,
): Promise<SigningKeys> {
  if (!(await currentKid(db))) await rotate(db, keyring);
  const since = new Date(Date.now() - retentionMs);
  const rows = await db
    .selectFrom('sso_signing_keys')
    .select(['kid', 'sealed', 'key_id', 'retired_at', 'created_at'])
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', since)]))
    .execute();
  // Active keys first (two processes may have created one each at start-up: the newest signs).
  rows.sort(
    (a, b) =>
      Number(a.retired_at !== null) - Number(b.retired_at !== null) ||
      b.created_at.getTime() - a.created_at.getTime(),
  );
  const keys = rows.map((row) =>
    unseal<JWK>(keyring, { payload: Buffer.from(row.sealed), keyId: row.key_id }),
  );
  return { keys, current: keys[0]!.kid! };
}

/** Deletes the keys retired longer ago than the retention: no token they signed is still valid. */
export async function pruneRetiredKeys(db: SsoDb, retentionMs: number): Promise<number> {
  const result = await db
    .deleteFrom('sso_signing_keys')
    .where('retired_at', '<', new Date(Date.now() - retentionMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
