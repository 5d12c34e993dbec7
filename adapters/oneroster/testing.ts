/**
 * Test helpers for the OneRoster adapter: a config for a sandbox provider, and a read collected
 * into records and signals.
 */
import type { CanonicalRecord } from '../../src/model/index.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  type BaseContext,
  type Checkpoint,
  isSignal,
  parseAdapterConfig,
  type RecordError,
} from '../../src/sdk/index.ts';
import type { OneRosterConfig } from './config.ts';
import adapter from './index.ts';

export type Stream = 'schools' | 'students' | 'teachers' | 'classes' | 'enrollments' | 'assessments';

/** The adapter config (unparsed, as a person writes it) for a provider at `url`. */
export function sandboxConfig(
  provider: { url: string; clientId?: string; clientSecret?: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    baseUrl: provider.url,
    tokenUrl: `${provider.url}/oauth/token`,
    clientId: provider.clientId ?? 'edubridge-sandbox',
    clientSecret: provider.clientSecret ?? 'sandbox-secret',
    system: 'sandbox',
    ...extra,
  };
}

export const parse = (config: unknown): OneRosterConfig =>
  parseAdapterConfig(adapter.configSchema, config, adapter.id);

/** A fixed "now" for `pulledAt`. */
export const NOW = new Date('2026-06-15T00:00:00.000Z');

export const baseContext = (signal = new AbortController().signal): BaseContext => ({
  logger: silentLogger,
  signal,
  now: () => NOW,
});

export interface Collected {
  records: CanonicalRecord[];
  deleted: string[];
  rejected: RecordError[];
  checkpoint: Checkpoint | undefined;
}

/** Reads a stream to the end. */
export async function collect(
  stream: Stream,
  config: unknown,
  checkpoint?: Checkpoint,
  signal?: AbortSignal,
): Promise<Collected> {
  const out: Collected = { records: [], deleted: [], rejected: [], checkpoint: undefined };
  for await (const item of adapter.read(
    stream,
    readContext(baseContext(signal), parse(config), checkpoint),
  )) {
    if (!isSignal(item)) out.records.push(item);
    else if (item.kind === 'deleted') out.deleted.push(...item.keys);
    else if (item.kind === 'rejected') out.rejected.push(item.error);
    else if (item.kind === 'checkpoint') out.checkpoint = item.checkpoint;
  }
  return out;
}

/** Records of one type, narrowed. */
export const ofType = <T extends CanonicalRecord['type']>(records: readonly CanonicalRecord[], type: T) =>
  records.filter((r): r is Extract<CanonicalRecord, { type: T }> => r.type === type);
