import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { type Db, kyselyOf, type Tables } from './db.ts';

export type AuditDecision = 'allow' | 'deny';

export interface AuditInput {
  /** Who acted: an API key's prefix (`key:1a2b3c4d`), `anonymous`, or `cli:<user>`. Never a secret. */
  actor: string;
  role: string | null;
  /** What was attempted, e.g. `runs:write`, `authenticate`, `apikey:create`. */
  action: string;
  /** What it was attempted on, e.g. `GET /v1/runs/:id` or `api_key:1a2b3c4d`. */
  resource: string;
  decision: AuditDecision;
  /**
   * Context for the reader (school, adapter, reason, request id). Never keys or personal data: the
   * log is append-only, so what is written here can never be taken back. `school` is the member
   * that `listAudit({ schools })` filters on. Input the hub refused is never kept as given (it may
   * be a personal ID in the wrong field): `refused` maps its field to `refusedInputHash` of it, and
   * `reason` names the rule that refused it.
   */
  detail?: Record<string, unknown> | null;
}

export interface AuditEntry extends Required<AuditInput> {
  id: string;
  at: Date;
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  /** Only entries whose `detail.school` is one of these (an empty list matches nothing). */
  schools?: readonly string[];
  actor?: string;
  action?: string;
  decision?: AuditDecision;
  /** Entries at or after this instant. */
  since?: Date;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
}

// The log is several hash chains side by side, an entry's chain chosen from its actor: every writer
// of a chain takes that chain's transaction-scoped lock, so two entries never claim the same
// predecessor, while writers of other chains go on. One chain for the whole hub made a burst of
// refused requests (each audited) slow every honest request that audits. The lock's class number is
// arbitrary; it only has to be the chain's own. Entries written before there were chains are chain 0.
const CHAIN_LOCK_CLASS = 746_011;
export const AUDIT_CHAINS = 16;

/** The chain an actor's entries go to: a stable hash of the actor, so one actor's entries stay in order in one chain. */
export function chainOf(actor: string): number {
  return createHash('sha256').update(actor).digest().readUInt16BE(0) % AUDIT_CHAINS;
}

/** The content an entry's hash covers, as one canonical string (object keys sorted at every depth). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * SHA-256 over the previous entry's hash and this entry's content. The time is part of it at
 * millisecond precision (what is written is what a JavaScript Date holds), so moving an entry in
 * time breaks the chain as surely as changing its words.
 */
export function entryHash(
  prev: Buffer | null,
  entry: {
    at: Date;
    actor: string;
    role: string | null;
    action: string;
    resource: string;
    decision: string;
    detail: unknown;
  },
): Buffer {
  return createHash('sha256')
    .update(prev ?? Buffer.alloc(0))
    .update(
      canonical([
        entry.at.toISOString(),
        entry.actor,
        entry.role,
        entry.action,
        entry.resource,
        entry.decision,
        entry.detail ?? null,
      ]),
    )
    .digest();
}

async function appendChained(trx: Transaction<Tables>, entry: AuditInput): Promise<void> {
  const chain = chainOf(entry.actor);
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK_CLASS}::int, ${chain}::int)`.execute(trx);
  const last = await trx
    .selectFrom('audit_log')
    .select(['hash'])
    .where('chain', '=', chain)
    .where('hash', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prev = last?.hash ? Buffer.from(last.hash) : null;
  // Read back as jsonb would give it: what is hashed must be what verification will read.
  const detail = entry.detail == null ? null : JSON.parse(JSON.stringify(entry.detail));
  const at = new Date();
  const hash = entryHash(prev, { ...entry, at, detail });
  await trx
    .insertInto('audit_log')
    .values({
      at,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      resource: entry.resource,
      decision: entry.decision,
      detail: detail == null ? null : JSON.stringify(detail),
      prev_hash: prev,
      hash,
      chain,
    })
    .execute();
}

/**
 * Appends one entry to the audit log (the table refuses updates and deletes), chained to the
 * entry before by hash so that `verifyAuditChain` shows any tampering done around the trigger.
 */
export async function audit(db: Db, entry: AuditInput): Promise<void> {
  const kysely = kyselyOf(db);
  if (kysely.isTransaction) await appendChained(kysely as Transaction<Tables>, entry);
  else await kysely.transaction().execute((trx) => appendChained(trx, entry));
}

export interface AuditChainReport {
  /** Entries checked. */
  checked: number;
  /** Entries written before the chain existed (no hash); they are counted, not judged. */
  unchained: number;
  /** The first entry whose hash or link does not hold, if any. */
  broken?: { id: string; at: Date; reason: 'content_changed' | 'link_broken' | 'hash_missing' };
}

/**
 * Walks every chain in order, a page at a time, recomputing every hash. An entry edited,
 * deleted or inserted out of band (with the trigger disabled, or in the files) breaks its chain
 * there; so does an entry moved to another chain (its old chain's next entry no longer links).
 */
export async function verifyAuditChain(
  db: Db,
  options: { pageSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<AuditChainReport> {
  const pageSize = options.pageSize ?? 5_000;
  const kysely = kyselyOf(db);
  let afterId = '0';
  // Each chain's last hash; entries of different chains interleave by id.
  const prevOf = new Map<number, Buffer>();
  let chainStarted = false;
  const report: AuditChainReport = { checked: 0, unchained: 0 };
  for (;;) {
    const rows = await kysely
      .selectFrom('audit_log')
      .selectAll()
      .where(sql<boolean>`id > ${afterId}::bigint`)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return report;
    for (const row of rows) {
      report.checked++;
      afterId = String(row.id);
      if (row.hash == null) {
        if (chainStarted) {
          report.broken = { id: String(row.id), at: row.at, reason: 'hash_missing' };
          return report;
        }
        report.unchained++;
        continue;
      }
      const stored = Buffer.from(row.hash);
      const storedPrev = row.prev_hash == null ? null : Buffer.from(row.prev_hash);
      const prev = prevOf.get(row.chain);
      if (prev ? !storedPrev?.equals(prev) : storedPrev !== null) {
        report.broken = { id: String(row.id), at: row.at, reason: 'link_broken' };
        return report;
      }
      const expected = entryHash(storedPrev, { ...row, detail: row.detail ?? null });
      if (!expected.equals(stored)) {
        report.broken = { id: String(row.id), at: row.at, reason: 'content_changed' };
        return report;
      }
      chainStarted = true;
      prevOf.set(row.chain, stored);
    }
    options.onProgress?.(report.checked);
  }
}

/** The newest entries matching the filter, newest first. */
export async function listAudit(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000);
  let query = kyselyOf(db).selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
  if (filter.schools !== undefined) {
    if (filter.schools.length === 0) return [];
    query = query.where(sql<boolean>`detail->>'school' = any(${[...filter.schools]}::text[])`);
  }
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.decision !== undefined) query = query.where('decision', '=', filter.decision);
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at,
    actor: row.actor,
    role: row.role,
    action: row.action,
    resource: row.resource,
    decision: row.decision,
    detail: (row.detail ?? null) as Record<string, unknown> | null,
  }));
}
