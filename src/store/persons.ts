import { type Kysely, sql } from 'kysely';
import { decryptPersonalId, encryptPersonalId, type Keyring, normalisePersonalId } from './crypto.ts';
import { type Db, kyselyOf, type Tables } from './db.ts';
import { seal, unseal } from './sealed.ts';

/**
 * A person's identity as one sealed document: the facts a check compares and the personal ID
 * (normalised) beside them, one AES-256-GCM seal a person. Rows written before kept the ID in a
 * column of its own (`personal_id_cipher`), sealed apart: they are read as they are, and written
 * in this form the next time the person changes.
 */
interface SealedIdentity {
  personalId?: string;
  [fact: string]: unknown;
}

/** The document `upsertPeople` seals into `facts`: the facts, with the ID when there is one. */
export function identityDocument(personalId: string | null, facts: object): SealedIdentity {
  return personalId === null ? { ...facts } : { ...facts, personalId: normalisePersonalId(personalId) };
}

interface StoredIdentityColumns {
  personal_id_cipher: Uint8Array | null;
  personal_id_key_id: string | null;
  facts?: Uint8Array | null;
  facts_key_id?: string | null;
}

/**
 * The personal ID and the facts a stored row holds, decrypted: the ID from its own column when a
 * row still has one (written before the ID moved into the facts' seal), else from the sealed
 * facts; null when the row has none.
 */
export function unsealIdentity(
  keyring: Keyring,
  row: StoredIdentityColumns,
): { personalId: string | null; facts: Record<string, unknown> | null } {
  let facts: Record<string, unknown> | null = null;
  let personalId: string | null = null;
  if (row.facts && row.facts_key_id) {
    const { personalId: sealedId, ...rest } = unseal<SealedIdentity>(keyring, {
      payload: Buffer.from(row.facts),
      keyId: row.facts_key_id,
    });
    facts = rest;
    if (typeof sealedId === 'string') personalId = sealedId;
  }
  if (row.personal_id_cipher && row.personal_id_key_id) {
    personalId = decryptPersonalId(keyring, {
      cipher: Buffer.from(row.personal_id_cipher),
      keyId: row.personal_id_key_id,
    });
  }
  return { personalId, facts };
}

export interface RotationCounts {
  /**
   * Sealed values rewritten under the current key: identity documents (the personal ID with the
   * facts a check compares) and personal IDs still in their own column (rows written before the
   * ID moved into the document).
   */
  reencrypted: number;
  /** Of those, how many were under each old key id. */
  byOldKeyId: Record<string, number>;
  /** Rows under a key id DATA_KEYS no longer lists: left as they are, and they need that key back. */
  unknownKeyRows: number;
  batches: number;
  /** Of `reencrypted`, the identity documents; absent when none. */
  resealedFacts?: number;
}

/**
 * Reseals every identity document, and re-encrypts every personal ID still in its own column, not
 * under the current key (see `rewrapColumn`). Safe to stop and run again; once it reports no rows,
 * old keys can leave DATA_KEYS.
 * The blind index does not change (its key is separate).
 */
export async function rotateKeys(
  db: Db,
  keyring: Keyring,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  const batchSize = options.batchSize ?? 1_000;
  const counts: RotationCounts = { reencrypted: 0, byOldKeyId: {}, unknownKeyRows: 0, batches: 0 };
  const kysely = kyselyOf(db);
  const ids = await rewrapColumn(kysely, keyring, batchSize, {
    value: 'personal_id_cipher',
    keyId: 'personal_id_key_id',
    rewrap: (old, keyId) =>
      encryptPersonalId(keyring, decryptPersonalId(keyring, { cipher: old, keyId })).cipher,
  });
  // The identity documents (the ID with name, birth date…) are sealed under a data key too:
  // resealed the same way, and counted with the IDs.
  const facts = await rewrapColumn(kysely, keyring, batchSize, {
    value: 'facts',
    keyId: 'facts_key_id',
    rewrap: (old, keyId) => seal(keyring, unseal(keyring, { payload: old, keyId })).payload,
  });
  counts.reencrypted = ids.rewritten + facts.rewritten;
  counts.batches = ids.batches + facts.batches;
  for (const part of [ids.byOldKeyId, facts.byOldKeyId]) {
    for (const [keyId, n] of Object.entries(part))
      counts.byOldKeyId[keyId] = (counts.byOldKeyId[keyId] ?? 0) + n;
  }
  if (facts.rewritten > 0) counts.resealedFacts = facts.rewritten;
  // Either seal may be under a key DATA_KEYS no longer lists (the ID is in the facts' seal on rows
  // written since it moved there).
  const known = [...keyring.keys.keys()];
  const unknown = await kysely
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) =>
      eb.or([
        eb.and([eb('personal_id_key_id', 'is not', null), eb('personal_id_key_id', 'not in', known)]),
        eb.and([eb('facts_key_id', 'is not', null), eb('facts_key_id', 'not in', known)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  counts.unknownKeyRows = Number(unknown.n);
  return counts;
}

/**
 * Rewrites one encrypted column of `persons` under the current key, in batches: read a batch,
 * decrypt and encrypt in the process, write it back with one UPDATE … FROM UNNEST, in one
 * transaction per batch. The write checks the row still holds the value that was read, so a
 * concurrent upsert is never overwritten.
 */
async function rewrapColumn(
  kysely: Kysely<Tables>,
  keyring: Keyring,
  batchSize: number,
  column: {
    value: 'personal_id_cipher' | 'facts';
    keyId: 'personal_id_key_id' | 'facts_key_id';
    rewrap: (old: Buffer, keyId: string) => Buffer;
  },
): Promise<{ rewritten: number; batches: number; byOldKeyId: Record<string, number> }> {
  const oldKeyIds = [...keyring.keys.keys()].filter((id) => id !== keyring.currentKeyId);
  const out = { rewritten: 0, batches: 0, byOldKeyId: {} as Record<string, number> };
  let afterId = '00000000-0000-0000-0000-000000000000';
  while (oldKeyIds.length > 0) {
    const done = await kysely.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom('persons')
        .select(['id', column.value, column.keyId])
        .where(column.keyId, 'in', oldKeyIds)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute()) as unknown as Array<Record<string, unknown> & { id: string }>;
      if (rows.length === 0) return true;
      afterId = rows.at(-1)!.id;
      const ids: string[] = [];
      const olds: string[] = [];
      const news: string[] = [];
      for (const row of rows) {
        const old = Buffer.from(row[column.value] as Uint8Array);
        const keyId = row[column.keyId] as string;
        ids.push(row.id);
        olds.push(old.toString('hex'));
        news.push(column.rewrap(old, keyId).toString('hex'));
        out.byOldKeyId[keyId] = (out.byOldKeyId[keyId] ?? 0) + 1;
      }
      // Counted in SQL: PGlite's driver reports no affected-row count for raw statements.
      const result = await sql<{ n: number }>`
        with updated as (
        update persons p set
          ${sql.ref(column.value)} = decode(v.new_value, 'hex'),
          ${sql.ref(column.keyId)} = ${keyring.currentKeyId},
          updated_at = now()
        from unnest(${ids}::uuid[], ${olds}::text[], ${news}::text[]) as v(id, old_value, new_value)
        where p.id = v.id and p.${sql.ref(column.value)} = decode(v.old_value, 'hex')
        returning 1)
        select count(*)::int as n from updated
      `.execute(trx);
      out.rewritten += result.rows[0]?.n ?? 0;
      out.batches += 1;
      return rows.length < batchSize;
    });
    if (done) break;
  }
  return out;
}
