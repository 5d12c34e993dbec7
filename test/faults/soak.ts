import type { ScenarioReport } from './scenario.ts';
import type { Suite } from './world.ts';

export async function soak(_suite: Suite, _minutes: number, _keep: boolean): Promise<ScenarioReport> {
  throw new Error('not yet');
}
