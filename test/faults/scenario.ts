/**
 * What a scenario is, and how one is run and reported: one line each, `<name>: <what was done>;
 * <what was found> PASS|FAIL`, with a few indented lines of detail under a failure.
 */
import type { Reconciliation } from './reconcile.ts';
import { describeReconciliation } from './reconcile.ts';
import { type Suite, World, type WorldOptions } from './world.ts';

export interface ScenarioContext {
  /** The scenario's world (closed by the runner, whatever happens). */
  world(options?: WorldOptions): Promise<World>;
}

export interface ScenarioResult {
  /** What was done, in a few words (the fault and its moment). */
  done: string;
  /** What was found: the reconciliation's figures and the scenario's own. */
  found: string;
  /** Broken expectations, one line each; none = PASS. */
  failures: string[];
}

export interface Scenario {
  name: string;
  /** One line for `--list` and the README. */
  about: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export interface ScenarioReport {
  name: string;
  passed: boolean;
  line: string;
  details: string[];
  ms: number;
}

/** The usual ending: reconcile, add the scenario's own findings and any hub process that died. */
export async function ending(
  world: World,
  done: string,
  options: {
    faultAt?: number | undefined;
    ended: boolean;
    endedWithinMs: number;
    extra?: string[];
    failures?: string[];
  },
): Promise<ScenarioResult & { reconciliation: Reconciliation }> {
  const settled = !options.ended || (await world.settle());
  const r = await world.reconcile(options.faultAt);
  // The run's word as the API gives it (GET /v1/runs/:id), not only as its table has it.
  const apiSays: string[] = [];
  if (world.api) {
    for (const run of r.runs) {
      const answer = await world.http('GET', `${world.api.url}/v1/runs/${run.id}`, {
        headers: { 'x-api-key': world.api.key },
        timeoutMs: 5_000,
      });
      const state = (answer.body as { state?: string } | undefined)?.state;
      if (answer.status !== 200)
        apiSays.push(`GET /v1/runs/${run.id.slice(0, 8)}: ${answer.status || answer.error}`);
      else if (state !== run.state)
        apiSays.push(`GET /v1/runs/${run.id.slice(0, 8)} says ${state}, the table ${run.state}`);
    }
  }
  const failures = [
    ...(options.failures ?? []),
    ...apiSays,
    ...(options.ended ? [] : [`the run did not end within ${Math.round(options.endedWithinMs / 1000)} s`]),
    ...(settled
      ? []
      : ['the school system or the city was still being called 30 s after every run had ended']),
    ...r.failures,
    ...world.unexpectedExits(),
  ];
  const found = [describeReconciliation(r, options.faultAt !== undefined), ...(options.extra ?? [])].join(
    ', ',
  );
  return { done, found, failures, reconciliation: r };
}

/** Runs one scenario in its own world and reports it, never throwing. */
export async function runScenario(suite: Suite, scenario: Scenario, keep: boolean): Promise<ScenarioReport> {
  const started = performance.now();
  const worlds: World[] = [];
  let result: ScenarioResult;
  try {
    result = await scenario.run({
      world: async (options) => {
        const w = await World.create(suite, scenario.name, options);
        worlds.push(w);
        return w;
      },
    });
  } catch (error) {
    result = {
      done: scenario.about,
      found: `the scenario broke off: ${(error as Error).message.split('\n')[0]}`,
      failures: [((error as Error).stack ?? String(error)).split('\n').slice(0, 4).join('\n    ')],
    };
  }
  const passed = result.failures.length === 0;
  const details = passed
    ? []
    : [...result.failures.slice(0, 12), ...worlds.flatMap((w) => w.logTails())].map((l) => `    ${l}`);
  await Promise.all(worlds.map((w) => w.close(keep).catch(() => {})));
  return {
    name: scenario.name,
    passed,
    line: `${scenario.name}: ${result.done}; ${result.found} (scenario ${(
      (performance.now() - started) / 1000
    ).toFixed(0)} s) ${passed ? 'PASS' : 'FAIL'}`,
    details,
    ms: performance.now() - started,
  };
}
