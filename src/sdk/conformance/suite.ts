/**
 * What a vendor gives the conformance kit besides the adapter: configs that work, fail and are
 * refused, and the expected outcome of reference inputs. As JSON for `edubridge adapter test
 * --config`, or built in code by a test that first starts a sandbox.
 */
import type { StreamName, WritableStream } from '../adapter.ts';

/** A rejection a reference input must produce. */
export interface ExpectedRejection {
  /** The RecordError code, e.g. `DATE_UNPARSEABLE`. */
  code: string;
  /** Substring of the error's location, e.g. `row 7`. */
  location?: string;
  /** The canonical field named by the error, e.g. `birthDate`. */
  field?: string;
}

/** What the kit runs against an adapter: configs, and what reading and writing must give. */
export interface ConformanceSuite {
  /** A config that works against the test source. */
  config: unknown;
  /** A config the schema must reject (default `{}`). */
  invalidConfig?: unknown;
  /** A config whose credentials (or files) the source refuses: `check()` must say so, not throw. */
  refusedConfig?: unknown;
  /** Streams to read (default: all the adapter declares). */
  streams?: StreamName[];
  /**
   * An incremental read: a full read with `before` (or `config`), then `mutate()` if given, then a
   * read with `after` (or `config`) from the last checkpoint, which must yield exactly the keys in
   * `changed` and report exactly `deleted`.
   */
  incremental?: {
    stream: StreamName;
    before?: unknown;
    after?: unknown;
    mutate?: () => Promise<void>;
    changed: string[];
    deleted: string[];
  };
  /** Reference inputs with known errors, and the exact rejections each must produce. */
  references?: Array<{
    name: string;
    config: unknown;
    stream: StreamName;
    expect: { records?: number; rejected: ExpectedRejection[] };
  }>;
  /**
   * For an adapter that declares `writes`: canonical records of a writable stream and what the
   * source must answer for each key. The kit writes them twice; the repeat must answer the same
   * (a record the source holds already is `written`, not refused) and, with `held`, add nothing.
   */
  write?: {
    /** Default `config`. */
    config?: unknown;
    stream: WritableStream;
    records: unknown[];
    expect: Record<string, 'written' | 'refused'>;
    /** How many records of the stream the test source holds now. */
    held?: () => number | Promise<number>;
  };
  /** A large source: the read must keep heap growth bounded. */
  large?: { config: unknown; stream: StreamName; minRecords: number; maxHeapGrowthMiB?: number };
  /** Abort check: how soon a read must stop after the signal (default 2,000 ms). */
  abortWithinMs?: number;
  /** Most records one read may yield before the kit calls it endless (default 5,000,000). */
  maxRecords?: number;
}
