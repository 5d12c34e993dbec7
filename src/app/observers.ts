/**
 * What a sync run tells the hub's other parts as it reads, composed once for every place that
 * builds a RunService (the API's, the worker's, the demo's): the identity registry (people and
 * their keys) and the education reports' projection (facts, their renames, their deletions). Each
 * sees every batch; they touch different tables, so they run side by side.
 */
import type { RunServiceDeps } from '../pipeline/service.ts';
import { educationObserver } from '../reports/observer.ts';
import type { Database, Keyring } from '../store/index.ts';
import { identityObserver, identityRenamer } from './identity.ts';

export function runObservers(
  db: Database,
  keyring: Keyring,
): Required<Pick<RunServiceDeps, 'observeRecords' | 'observeKeyChanges' | 'observeStreamEnd'>> {
  const identity = identityObserver(db, keyring);
  const renamePeople = identityRenamer(db);
  const education = educationObserver(db, keyring);
  return {
    observeRecords: async (schoolCode, records) => {
      await Promise.all([identity(schoolCode, records), education.records(schoolCode, records)]);
    },
    observeKeyChanges: async (schoolCode, renames) => {
      await Promise.all([renamePeople(schoolCode, renames), education.keysChanged(schoolCode, renames)]);
    },
    observeStreamEnd: (schoolCode, end) => education.streamEnd(schoolCode, end),
  };
}
