/**
 * The upstream half of a sign-in (VNeID `state`, nonce, PKCE verifier), kept server-side under the
 * interaction's uid: the interaction cookie binds the browser, this row binds VNeID's answer to it.
 * Taken once: a second callback for the same interaction finds nothing.
 */

import type { SsoDb } from './tables.ts';
import type { UpstreamTransaction } from './upstream/index.ts';

const MODEL = 'UpstreamLogin';

export interface StoredTransaction extends UpstreamTransaction {
  clientId: string;
}

export async function saveTransaction(
  db: SsoDb,
  uid: string,
  transaction: StoredTransaction,
  ttlSeconds: number,
): Promise<void> {
  const row = {
    payload: JSON.stringify(transaction),
    expires_at: new Date(Date.now() + ttlSeconds * 1000),
    uid,
  };
  await db
    .insertInto('sso_payloads')
    .values({ model: MODEL, id: uid, ...row })
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
    .execute();
}

export async function peekTransaction(db: SsoDb, uid: string): Promise<StoredTransaction | undefined> {
  const row = await db
    .selectFrom('sso_payloads')
    .select(['payload', 'expires_at'])
    .where('model', '=', MODEL)
    .where('id', '=', uid)
    .executeTakeFirst();
  if (!row || (row.expires_at && row.expires_at.getTime() <= Date.now())) return undefined;
  return row.payload as unknown as StoredTransaction;
}

/** Deletes the row and says whether this caller was the one to delete it. */
export async function takeTransaction(db: SsoDb, uid: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('sso_payloads')
    .where('model', '=', MODEL)
    .where('id', '=', uid)
    .returning('id')
    .executeTakeFirst();
  return deleted !== undefined;
}
