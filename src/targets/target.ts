/**
 * What the sync engine needs of a target system (the city Education DB, SSC): which streams it
 * takes, how a canonical record maps to its format (a pure, versioned mapping), and how a batch is
 * pushed and answered record by record. Implementations live beside this file and reach the
 * target only through the gateway client.
 */
import type { CanonicalRecord } from '../model/index.ts';
import type { StreamName } from '../sdk/index.ts';

/** A canonical record in the target's format, with what identifies it there. */
export interface MappedRecord {
  /** The canonical record key (ledger key). */
  key: string;
  /** The record as the target wants it; hashed for the ledger, never logged. */
  body: unknown;
  /**
   * The key the target holds this record under until now, when the source changed its key (a
   * corrected student code, a merge): the target moves the record instead of adding a second one.
   */
  previousKey?: string;
}

export interface PushBatch {
  target: string;
  stream: StreamName;
  schoolCode: string;
  runId: string;
  /** Derived from the batch's content: the same batch sent twice is applied once. */
  idempotencyKey: string;
  upserts: MappedRecord[];
  /** Keys of records the target should delete. */
  deletes: string[];
  correlationId: string;
}

export type RecordOutcome = 'accepted' | 'refused' | 'failed';

export interface TargetRecordResult {
  key: string;
  outcome: RecordOutcome;
  /** The target's version or id of the record after the change. */
  targetVersion?: string;
  /** The target's code and message for a refusal (kept for dead letters; no personal data). */
  code?: string;
  message?: string;
  /** True when the result is for a delete. */
  deleted?: boolean;
}

export interface PushResult {
  /** The gateway's message id, kept in lineage as evidence. */
  messageId: string;
  results: TargetRecordResult[];
}

export interface Target {
  /** `city-edudb`, `ssc`. */
  id: string;
  /** Folder under mappings/<target>/ whose mapping this target uses: `v1`. */
  mappingVersion: string;
  /** Streams the target takes. */
  streams: readonly StreamName[];
  /**
   * The settings `map` reads besides the record (SSC's collection accounts), if any. `map` must
   * depend on nothing else than the record, `mappingVersion` and these: a scan skips a source
   * record it has sent before under the same three without mapping it again (source-hash.ts).
   */
  mappingSettings?: unknown;
  /**
   * Maps one canonical record, or returns undefined when the target does not take this record
   * type (a stream may carry several). Throws a RecordError naming the field when it cannot map.
   */
  map(record: CanonicalRecord): MappedRecord | undefined;
  /** Sends one batch through the gateway; throws the gateway's Retryable/PermanentError. */
  push(batch: PushBatch, options?: { signal?: AbortSignal }): Promise<PushResult>;
}
