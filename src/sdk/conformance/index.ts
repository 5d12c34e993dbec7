/**
 * The EduBridge conformance kit (`edubridge/kit`): one suite run against any adapter, so a vendor
 * knows before the first night in production that the adapter keeps the contract, and the few
 * helpers a vendor's own unit tests need to call `read` outside the hub.
 *
 * Every name is listed here on purpose: the public surface is locked by `api/kit.api.md`
 * (`npm run api-report`). The adapter contract itself is `edubridge/sdk`.
 *
 * @packageDocumentation
 */
export { readContext, silentLogger } from '../adapter.ts';
export { type LoadedSuite, loadAdapter, loadSuite } from './load.ts';
export { type Replay, replayRecording } from './replay.ts';
export {
  type CheckOutcome,
  type CheckStatus,
  type ConformanceReport,
  type RunOptions,
  renderConformanceReport,
  runConformance,
} from './run.ts';
export type { ConformanceSuite, ExpectedRejection } from './suite.ts';
