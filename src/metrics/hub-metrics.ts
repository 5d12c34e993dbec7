/**
 * The metrics of one process (or one app of a test): a registry of its own, never prom-client's
 * global one, so building several apps in one process registers nothing twice. What happens is
 * counted as it happens (events.ts); what is are read at scrape time (collect.ts) and, for the
 * circuit breakers a worker holds, from memory. Process metrics (CPU, memory, event loop, GC) are
 * the process's, one set however many registries it has.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { BreakerState } from '../pipeline/breaker.ts';
import { type CollectOptions, createCollector } from './collect.ts';
import { countEvents } from './events.ts';

export interface HubMetricsOptions extends CollectOptions {
  /** What this process is (`api`, `worker`): a label of `edubridge_info`. */
  role: string;
  /** The circuit breakers of the process's push workers, by target (a worker's). */
  breakers?: ReadonlyMap<string, { readonly state: BreakerState }>;
}

export interface HubMetrics {
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8`: Prometheus's text format. */
  readonly contentType: string;
  /** Every metric in Prometheus's text format, the scrape-time gauges brought up to date first. */
  render(): Promise<string>;
  /** Unsubscribes from the hub's events and closes the connections the metrics opened. */
  close(): Promise<void>;
}

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half-open', 'open'];

let processRegistry: Registry | undefined;

/** CPU, memory, handles, event loop lag, GC: registered once per process, on a registry of its own. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createHubMetrics(options: HubMetricsOptions): HubMetrics {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: 'edubridge_info',
    help: 'Always 1; its labels say what this process is',
    labelNames: ['role'] as const,
    registers,
  }).set({ role: options.role }, 1);
  const breakers = options.breakers;
  if (breakers) {
    new Gauge({
      name: 'edubridge_breaker_state',
      help: "A target's circuit breaker in this process: 1 on its current state (closed, half-open, open), 0 on the others",
      labelNames: ['target', 'state'] as const,
      registers,
      collect() {
        for (const [target, breaker] of breakers) {
          const current = breaker.state;
          for (const state of BREAKER_STATES) this.set({ target, state }, state === current ? 1 : 0);
        }
      },
    });
  }
  const stopCounting = countEvents(registry);
  const collector = createCollector(registry, options);
  const perProcess = processMetrics();
  return {
    registry,
    contentType: registry.contentType,
    async render() {
      await collector.refresh();
      const [own, processWide] = await Promise.all([registry.metrics(), perProcess.metrics()]);
      return `${own}\n${processWide}`;
    },
    async close() {
      stopCounting();
      await collector.close();
    },
  };
}
