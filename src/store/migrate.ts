import { type Kysely, type Migration, type MigrationProvider, type MigrationResult, Migrator } from 'kysely';
import { errorMessage } from '../model/error-catalogue.ts';
import { type Database, kyselyOf, type Tables } from './db.ts';
import * as m0001 from './migrations/0001_init.ts';
import * as m0002 from './migrations/0002_staged_batches.ts';
import * as m0003 from './migrations/0003_steps_outbox.ts';
import * as m0004 from './migrations/0004_payments.ts';
import * as m0005 from './migrations/0005_identity.ts';
import * as m0006 from './migrations/0006_sso.ts';
import * as m0007 from './migrations/0007_payment_writeback.ts';
import * as m0008 from './migrations/0008_lean_person_indexes.ts';
import * as m0009 from './migrations/0009_fenced_steps.ts';
import * as m0010 from './migrations/0010_dead_letter_occurrences.ts';
import * as m0011 from './migrations/0011_audit_chains.ts';
import * as m0012 from './migrations/0012_stream_last_runs.ts';
import * as m0013 from './migrations/0013_education_facts.ts';
import * as m0014 from './migrations/0014_replay_requests.ts';
import * as m0015 from './migrations/0015_source_hashes.ts';
import * as m0016 from './migrations/0016_ledger_run_index.ts';
import * as m0017 from './migrations/0017_persons_school_role.ts';

/**
 * Every migration, in order. Listed by hand rather than read from the folder: a file provider
 * depends on how the code is run (tsx, compiled JS, a bundle), a list does not. A new migration is
 * a new numbered file here; never edit one that has shipped.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_init': m0001,
  '0002_staged_batches': m0002,
  '0003_steps_outbox': m0003,
  '0004_payments': m0004,
  '0005_identity': m0005,
  '0006_sso': m0006,
  '0007_payment_writeback': m0007,
  '0008_lean_person_indexes': m0008,
  '0009_fenced_steps': m0009,
  '0010_dead_letter_occurrences': m0010,
  '0011_audit_chains': m0011,
  '0012_stream_last_runs': m0012,
  '0013_education_facts': m0013,
  '0014_replay_requests': m0014,
  '0015_source_hashes': m0015,
  '0016_ledger_run_index': m0016,
  '0017_persons_school_role': m0017,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  override readonly name = 'MigrationError';
  readonly results: readonly MigrationResult[];
  constructor(failed: string | undefined, results: readonly MigrationResult[], cause: unknown) {
    super(
      errorMessage('MIGRATION_FAILED', {
        migration: failed ?? '',
        reason: (cause as Error)?.message ?? String(cause),
      }),
      { cause },
    );
    this.results = results;
  }
}

export interface MigrationStatus {
  name: string;
  /** When it ran; `null` while pending. */
  executedAt: Date | null;
}

function migrator(db: Database | Kysely<Tables>): Migrator {
  // Kysely's Postgres adapter takes a session advisory lock, so two processes starting together
  // run each migration once; on PGlite's single connection the lock is uncontended.
  return new Migrator({ db: kyselyOf(db), provider });
}

/**
 * Runs every pending migration, each in its own transaction, and returns the names it ran (empty
 * when the schema was already current). Throws `MigrationError` on the first failure.
 *
 * @example
 * const db = await createDatabase(config);
 * const { applied } = await migrateToLatest(db); // ['0001_init'] the first time, [] after
 */
export async function migrateToLatest(db: Database | Kysely<Tables>): Promise<{ applied: string[] }> {
  const { error, results = [] } = await migrator(db).migrateToLatest();
  if (error) {
    throw new MigrationError(results.find((r) => r.status === 'Error')?.migrationName, results, error);
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Every known migration with when it ran, oldest first. */
export async function migrationStatus(db: Database | Kysely<Tables>): Promise<MigrationStatus[]> {
  const infos = await migrator(db).getMigrations();
  return infos.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
