export { type CollectOptions, createCollector, type QueueSource } from './collect.ts';
export { countEvents } from './events.ts';
export { createHubMetrics, type HubMetrics, type HubMetricsOptions } from './hub-metrics.ts';
export {
  metricsFromConfig,
  queueNamesFromConfig,
  queuesFromConfig,
  registerMetricsRoute,
  serveWorkerMetrics,
  tokenAccepted,
  type WorkerMetricsServer,
} from './serve.ts';
