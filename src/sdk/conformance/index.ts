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
