import { type Kysely, sql } from 'kysely';
import type { Database, Tables } from './db.ts';

type Db = Database | Kysely<Tables>;
const kyselyOf = (db: Db): Kysely<Tables> => ('kysely' in db ? db.kysely : db);

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
   * that `listAudit({ schools })` filters on.
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

/** Appends one entry to the audit log (the table refuses updates and deletes). */
export async function audit(db: Db, entry: AuditInput): Promise<void> {
  await kyselyOf(db)
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      resource: entry.resource,
      decision: entry.decision,
      detail: entry.detail == null ? null : JSON.stringify(entry.detail),
    })
    .execute();
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
