/**
 * Test helpers for adapters read against a sandbox: run a read to the end and sort what came
 * out. Used by this adapter's tests and the SOAP adapter's.
 */
import type { CanonicalRecord } from '../../src/model/index.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  type Adapter,
  type AdapterLogger,
  type BaseContext,
  type Checkpoint,
  isSignal,
  parseAdapterConfig,
  type RecordError,
  type StreamName,
} from '../../src/sdk/index.ts';

export interface ReadOutcome {
  records: CanonicalRecord[];
  deleted: string[];
  rejected: RecordError[];
  checkpoint: Checkpoint | undefined;
}

/** A logger that keeps what it is told, to count retries. */
export function memoryLogger(): AdapterLogger & {
  entries: Array<{ level: string; msg: string; data?: Record<string, unknown> }>;
} {
  const entries: Array<{ level: string; msg: string; data?: Record<string, unknown> }> = [];
  const log = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    entries.push({ level, msg, ...(data ? { data } : {}) });
  };
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const TEST_NOW = new Date('2026-11-27T00:00:00Z');

export function baseContext(options: { signal?: AbortSignal; logger?: AdapterLogger } = {}): BaseContext {
  return {
    logger: options.logger ?? silentLogger,
    signal: options.signal ?? new AbortController().signal,
    now: () => TEST_NOW,
  };
}

/** Reads a stream to its end. */
export async function readAll(
  adapter: Adapter,
  stream: StreamName,
  rawConfig: unknown,
  options: { checkpoint?: Checkpoint; signal?: AbortSignal; logger?: AdapterLogger } = {},
): Promise<ReadOutcome> {
  const config = parseAdapterConfig(adapter.configSchema, rawConfig, adapter.id);
  const ctx = readContext(baseContext(options), config, options.checkpoint);
  const out: ReadOutcome = { records: [], deleted: [], rejected: [], checkpoint: undefined };
  for await (const item of adapter.read(stream, ctx)) {
    if (!isSignal(item)) out.records.push(item);
    else if (item.kind === 'deleted') out.deleted.push(...item.keys);
    else if (item.kind === 'rejected') out.rejected.push(item.error);
    else if (item.kind === 'checkpoint') out.checkpoint = item.checkpoint;
  }
  return out;
}
