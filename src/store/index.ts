export {
  type ApiKeyInfo,
  type ApiKeyInput,
  ApiKeyInputError,
  createApiKey,
  hashApiKey,
  listApiKeys,
  type Principal,
  type RevokeOutcome,
  revokeApiKey,
  validateApiKeyInput,
  verifyApiKey,
} from './api-keys.ts';
export {
  type AuditChainReport,
  type AuditDecision,
  type AuditEntry,
  type AuditFilter,
  type AuditInput,
  audit,
  entryHash,
  listAudit,
  verifyAuditChain,
} from './audit.ts';
export { canonicalJson, contentHash, recordHash } from './content-hash.ts';
export {
  blindIndex,
  DEVELOPMENT_KEY_ID,
  decryptPersonalId,
  type EncryptedValue,
  encryptPersonalId,
  factHash,
  generateDataKey,
  type Keyring,
  KeyringError,
  type KeyringSettings,
  loadKeyring,
  normalisePersonalId,
  parseDataKeys,
  refusedInputHash,
} from './crypto.ts';
export {
  type CreateDatabaseOptions,
  createDatabase,
  type Database,
  type DatabaseSettings,
  type Tables,
} from './db.ts';
export * from './dead-letters.ts';
export * from './education.ts';
export { publishRunEnded, RUN_ENDED_CHANNEL, type RunEndedEvent, runEndedChannel } from './events.ts';
export { ACTIVE_RUN_STATES, type StoreGauges, storeGauges } from './gauges.ts';
export {
  type ChangedPerson,
  type CheckRecord,
  COVERAGE_STATUSES,
  changedPeople,
  checksOf,
  type GuardianLink,
  type GuardianLinkInput,
  guardianKeyFromIndex,
  guardianKeyOf,
  guardianLinksOf,
  type IdentityCoverage,
  type IdentityFacts,
  type IdentityPersonInput,
  identityCoverage,
  type KnownPerson,
  markPending,
  type PersonRole,
  peopleByIds,
  peopleByKeys,
  peopleByPersonalId,
  peopleDue,
  peopleToFollowUp,
  personIdsOf,
  recordCheck,
  registerGuardianLinks,
  registerPeople,
  renamePeople,
  setGuardianLinkVerified,
  upsertPeople,
  type VerificationStatus,
} from './identity.ts';
export * from './leases.ts';
export {
  applyTargetResults,
  diffAgainstLedger,
  heldKeys,
  keysNotSeen,
  type LedgerDiff,
  type LedgerEntry,
  markSourceHashes,
  renameLedgerKeys,
  type SourceEntry,
  sourceHashesHeld,
  type TargetResult,
} from './ledger.ts';
export { addLineage, type LineageEntry, lineageOfRecords, recordHistory } from './lineage.ts';
export {
  MIGRATIONS,
  MigrationError,
  type MigrationStatus,
  migrateToLatest,
  migrationStatus,
} from './migrate.ts';
export {
  type DeadLetterGroup,
  type SchoolActivity,
  type SchoolIdentityTotals,
  type StreamLastRun,
  schoolActivity,
} from './overview.ts';
export * from './payments.ts';
export { type RotationCounts, rotateKeys } from './persons.ts';
export * from './replay-requests.ts';
export * from './reports.ts';
export * from './run-reconciliation.ts';
export * from './runs.ts';
export * from './schedules.ts';
export { type Sealed, seal, unseal } from './sealed.ts';
export * from './statistics.ts';
export * from './steps.ts';
export * from './tables.ts';
