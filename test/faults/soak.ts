/**
 * `npm run faults -- --soak MINUTES` (not in CI): a district of 100,718 students in 75 schools
 * syncs through two workers while faults drawn at random from the scenarios' list hit it, one
 * every 5–20 s, for MINUTES; when every run has ended another round of full runs is requested.
 * Then the faults stop, the hub is left to finish, and the same reconciliation runs over every
 * school and every run.
 */
import { describeReconciliation } from './reconcile.ts';
import type { District } from './sandboxes.ts';
import type { ScenarioReport } from './scenario.ts';
import { type Suite, World } from './world.ts';

/** As the sync benchmark's (bench/sync.ts): 75 schools of 4 × 8 × 42, 100,718 students. */
const SOAK_DISTRICT: District = { seed: 42, schools: 75, classesPerGrade: 8, classSize: 42 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

interface SoakFault {
  name: string;
  /** Injects the fault; says what it did. */
  apply(world: World): Promise<string>;
}

const liveWorkers = (world: World) => world.workers.filter((w) => w.exit === undefined);

/** The scenarios' faults, as they can hit a run at any moment. */
const FAULTS: readonly SoakFault[] = [
  {
    name: 'worker-kill',
    async apply(world) {
      const victim = pick(liveWorkers(world));
      await world.kill(victim);
      const next = world.startWorker();
      return `SIGKILL to ${victim.name}, ${next.name} started`;
    },
  },
  {
    name: 'worker-sigterm',
    async apply(world) {
      const victim = pick(liveWorkers(world));
      world.signal(victim, 'SIGTERM');
      const next = world.startWorker();
      return `SIGTERM to ${victim.name}, ${next.name} started`;
    },
  },
  {
    name: 'redis-restart',
    async apply(world) {
      await world.redis.restart();
      return 'Redis restarted empty';
    },
  },
  {
    name: 'redis-down',
    async apply(world) {
      await world.redis.kill();
      const ms = between(3_000, 10_000);
      const answer = await world.http('POST', `${world.api!.url}/v1/runs/district`, {
        body: { streams: ['students'], mode: 'full' },
        headers: { 'x-api-key': world.api!.key },
        timeoutMs: 2_000,
      });
      await sleep(ms);
      await world.redis.start();
      return `Redis down ${(ms / 1000).toFixed(0)} s (POST /v1/runs/district: ${answer.status || answer.error})`;
    },
  },
  {
    name: 'postgres-restart',
    async apply(world) {
      const ms = between(1_000, 5_000);
      await world.suite.pg.stop(Math.random() < 0.5 ? 'crash' : 'fast');
      await sleep(ms);
      await world.suite.pg.start();
      return `PostgreSQL stopped for ${(ms / 1000).toFixed(0)} s`;
    },
  },
  {
    name: 'postgres-terminate-connections',
    async apply(world) {
      const n = await world.suite.pg.terminateBackends(world.dbName);
      return `${n} connections terminated`;
    },
  },
  {
    name: 'city-outage',
    async apply(world) {
      const ms = between(5_000, 30_000);
      world.city.city.faults.set({ outage: { until: Date.now() + ms, retryAfterSeconds: 1 } });
      return `city 503 for ${(ms / 1000).toFixed(0)} s`;
    },
  },
  {
    name: 'gateway-timeouts',
    async apply(world) {
      world.city.city.faults.set({ stall: { count: 3, ms: 6_000 } });
      return '3 batches applied and answered after the timeout';
    },
  },
  {
    name: 'malformed-page',
    async apply(world) {
      world.school.state.faults.set({ brokenPages: 2, paths: ['/api/v1/hoc-sinh'] });
      return '2 pages cut short';
    },
  },
  {
    name: 'slow-school',
    async apply(world) {
      world.school.state.faults.set({ latencyMs: 1_000, paths: ['/api/v1/hoc-sinh'] });
      return 'school system 1 s a page until the next fault';
    },
  },
];

export async function soak(suite: Suite, minutes: number, keep: boolean): Promise<ScenarioReport> {
  const started = performance.now();
  const say = (line: string) =>
    process.stdout.write(`  soak +${((performance.now() - started) / 1000).toFixed(0)} s: ${line}\n`);
  const world = await World.create(suite, 'soak', {
    district: SOAK_DISTRICT,
    pageSize: 1_000,
    env: {
      SYNC_BATCH_SIZE: '500',
      CITY_EDUDB_CONCURRENT_BATCHES: '4',
      CITY_EDUDB_TIMEOUT_MS: '5000',
      WORKER_LOCK_MS: '5000',
      BREAKER_COOLDOWN_MS: '1000',
    },
  });
  const students = [...world.city.expected.values()].reduce((n, e) => n + e.students, 0);
  say(
    `district of ${students.toLocaleString('en-US')} students in ${world.schools.length} schools, two workers`,
  );
  /** Full runs of `schools` (default all) through the API, as the district's operator would ask. */
  const requestRuns = async (label: string, schools?: string[]) => {
    const answer = await world.http('POST', `${world.api!.url}/v1/runs/district`, {
      body: { streams: ['students'], mode: 'full', ...(schools ? { schools } : {}) },
      headers: { 'x-api-key': world.api!.key },
      // One run a school, each with its transaction and job: a while for 75 schools.
      timeoutMs: 120_000,
    });
    const runs = (answer.body as { runs?: unknown[] } | undefined)?.runs?.length ?? 0;
    say(`${label}: ${runs} runs requested (${answer.status || answer.error})`);
    return answer.status === 202;
  };
  /** Schools no run was requested for (a district request cut short by a fault). */
  const schoolsWithoutRun = async () => {
    const { rows } = await world.pool.query<{ school_code: string }>('select distinct school_code from runs');
    const have = new Set(rows.map((r) => r.school_code));
    return world.schools.filter((s) => !have.has(s));
  };
  /** A supervisor's restart of workers that died by themselves (each still a finding). */
  const supervise = () => {
    while (liveWorkers(world).length < 2)
      say(`${world.startWorker().name} started in place of a dead worker`);
  };
  try {
    await world.startApi();
    world.startWorker();
    world.startWorker();
    let round = 1;
    await requestRuns('round 1');
    const deadline = Date.now() + minutes * 60_000;
    const applied = new Map<string, number>();
    while (Date.now() < deadline) {
      await sleep(Math.min(between(5_000, 20_000), Math.max(0, deadline - Date.now())));
      if (Date.now() >= deadline) break;
      supervise();
      if (await world.runsEnded(0)) {
        round++;
        await requestRuns(`round ${round}`);
      }
      const fault = pick(FAULTS);
      const text = await fault.apply(world).catch((error: Error) => `failed to inject: ${error.message}`);
      applied.set(fault.name, (applied.get(fault.name) ?? 0) + 1);
      say(`${fault.name}: ${text}`);
    }
    // Calm: every fault lifted, every service up, two workers; the hub is left to finish.
    world.city.city.faults.set({});
    world.school.state.faults.set({});
    if (!world.redis.running) await world.redis.start();
    if (!suite.pg.running) await suite.pg.start();
    supervise();
    const calmAt = Date.now();
    const missed = await world.until(schoolsWithoutRun, 30_000);
    if (missed && missed.length > 0) await requestRuns(`${missed.length} schools left without a run`, missed);
    say('faults stopped; waiting for every run to end');
    const ended = await world.runsEnded(20 * 60_000);
    const r = await world.reconcile(calmAt);
    const failures = [
      ...(ended ? [] : ['the runs did not end within 20 min of the last fault']),
      ...r.failures,
      ...world.unexpectedExits(),
    ];
    const faults = [...applied].map(([name, n]) => `${name} ×${n}`).join(', ');
    const passed = failures.length === 0;
    return {
      name: 'soak',
      passed,
      line: `soak: ${minutes} min of faults on ${students} students, ${round} rounds (${faults}); ${describeReconciliation(r)} (soak ${((performance.now() - started) / 1000).toFixed(0)} s) ${passed ? 'PASS' : 'FAIL'}`,
      details: passed ? [] : [...failures.slice(0, 20), ...world.logTails()].map((l) => `    ${l}`),
      ms: performance.now() - started,
    };
  } finally {
    await world.close(keep);
  }
}
