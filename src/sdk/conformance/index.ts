export { type LoadedSuite, loadAdapter, loadSuite } from './load.ts';
export {
  type CheckOutcome,
  type CheckStatus,
  type ConformanceReport,
  type RunOptions,
  renderConformanceReport,
  runConformance,
} from './run.ts';
export type { ConformanceSuite, ExpectedRejection } from './suite.ts';
