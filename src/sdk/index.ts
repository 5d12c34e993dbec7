/**
 * The EduBridge adapter SDK: everything a vendor needs to connect a school system. See
 * `docs/adapters.md` for a walk-through.
 */

// The zod the SDK's schemas are made with, so an adapter's config schema needs no copy of its own.
export { z } from 'zod';
export type { CanonicalRecord, Class, Guardianship, Student, Teacher } from '../model/index.ts';
export * from './adapter.ts';
export {
  parseAdapterConfig,
  redactConfig,
  scrubSecrets,
  secret,
  secretFields,
  secretValues,
} from './config.ts';
export * from './conformance/index.ts';
export * from './errors.ts';
export * from './http.ts';
export * from './limits.ts';
export * from './pages.ts';
export * from './paginate.ts';
export * from './records.ts';
export { type ScaffoldResult, scaffoldAdapter } from './scaffold.ts';
export { sleep } from './sleep.ts';
export * from './transforms.ts';
export { SDK_VERSION } from './version.ts';
