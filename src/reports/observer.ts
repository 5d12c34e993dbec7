/**
 * Keeps the education reports' projection as runs read: each batch of valid records replaces the
 * school's facts for those records, a source's renames drop the facts under the old keys (the
 * records follow under their new ones), and a stream's end removes what the source no longer has
 * (a full run) or said it deleted (an incremental one).
 */
import type { CanonicalRecord } from '../model/index.ts';
import type { StreamEnd } from '../pipeline/pull/index.ts';
import {
  type Database,
  FACT_TABLES,
  factHash,
  type Keyring,
  removeEducationFacts,
  removeEducationFactsNotIn,
  upsertEducationFacts,
} from '../store/index.ts';
import { FACT_TABLES_OF_STREAM, factsOf } from './facts.ts';

export interface EducationObserver {
  records(schoolCode: string, records: readonly CanonicalRecord[]): Promise<void>;
  keysChanged(schoolCode: string, renames: ReadonlyArray<{ from: string; to: string }>): Promise<void>;
  streamEnd(schoolCode: string, end: StreamEnd): Promise<void>;
}

export function educationObserver(db: Database, keyring: Keyring): EducationObserver {
  const hash = (value: string) => factHash(keyring, value);
  return {
    async records(schoolCode, records) {
      await upsertEducationFacts(db, schoolCode, factsOf(records, hash));
    },
    async keysChanged(schoolCode, renames) {
      // Which stream a key belongs to is not said; a key hash is in one table at most.
      await removeEducationFacts(
        db,
        schoolCode,
        FACT_TABLES,
        renames.map((r) => hash(r.from)),
      );
    },
    async streamEnd(schoolCode, end) {
      const tables = FACT_TABLES_OF_STREAM[end.stream];
      if (!tables) return;
      if (end.present) {
        await removeEducationFactsNotIn(db, schoolCode, tables, [...end.present].map(hash));
      } else if (end.deleted.length > 0) {
        await removeEducationFacts(db, schoolCode, tables, end.deleted.map(hash));
      }
    },
  };
}
