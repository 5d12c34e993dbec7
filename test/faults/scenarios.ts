/**
 * The scenarios of `npm run faults`. Each starts the hub as real processes against its own
 * PostgreSQL database and Redis, requests a full run of a 486-student school through the API,
 * injects its fault at a moment chosen by watching the hub's tables (never by sleeping blindly),
 * and ends with the same reconciliation. Timings are made short by the hub's settings, not by
 * skipping anything.
 */
import type { Child } from './children.ts';
import { ending, type Scenario, type ScenarioResult } from './scenario.ts';
import type { World } from './world.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** How long a run may take to end after its fault. */
const RECOVERY_MS = 60_000;
/** The same when the lost jobs come back through the outbox sweeper (at once when Redis is back, else once a minute). */
const SWEEP_RECOVERY_MS = 90_000;

/** A school system slow enough that a pull of 13 pages lasts several seconds. */
const slowSchool = (latencyMs: number) => ({ latencyMs, paths: ['/api/v1/hoc-sinh'] });

/** Requests the run and waits for it (and any other) to end; the usual ending after. */
async function finish(
  world: World,
  done: string,
  faultAt: number | undefined,
  options: { extra?: string[]; failures?: string[]; withinMs?: number } = {},
): Promise<ScenarioResult> {
  const within = options.withinMs ?? RECOVERY_MS;
  const ended = await world.runsEnded(within);
  return ending(world, done, { faultAt, ended, endedWithinMs: within, ...options });
}

const twoWorkers: Scenario = {
  name: 'two-workers',
  about: 'two workers side by side carry out one run, no fault: the baseline every other scenario is held to',
  async run(ctx) {
    const w = await ctx.world({ cityFaults: { latencyMs: 100 } });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    await w.requestRun();
    return finish(w, 'two workers, one full run of the school, no fault', undefined);
  },
};

const workerKillMidPull: Scenario = {
  name: 'worker-kill-mid-pull',
  about: 'SIGKILL of the only worker while it pulls from a slow school system; a new worker is started',
  async run(ctx) {
    const w = await ctx.world({ schoolFaults: slowSchool(300) });
    await w.startApi();
    const first = w.startWorker();
    const runId = await w.requestRun();
    const at = await w.pulling(runId);
    if (!at)
      return finish(w, 'the run was never seen pulling', undefined, { failures: ['no pull to interrupt'] });
    const faultAt = Date.now();
    await w.kill(first);
    w.startWorker();
    return finish(
      w,
      `SIGKILL of the worker while pulling (${at.counts.pulled} read), a new worker started`,
      faultAt,
    );
  },
};

const workerKillMidPush: Scenario = {
  name: 'worker-kill-mid-push',
  about: 'SIGKILL of the only worker between two batches of the push (a slow city); a new worker is started',
  async run(ctx) {
    const w = await ctx.world({
      cityFaults: { latencyMs: 400 },
      env: { CITY_EDUDB_CONCURRENT_BATCHES: '1' },
    });
    await w.startApi();
    const first = w.startWorker();
    const runId = await w.requestRun();
    const at = await w.midPush(runId);
    if (!at)
      return finish(w, 'the run was never seen mid-push', undefined, { failures: ['no push to interrupt'] });
    const faultAt = Date.now();
    await w.kill(first);
    w.startWorker();
    return finish(
      w,
      `SIGKILL of the worker after ${at.pushed}/${at.total} batches pushed, a new worker started`,
      faultAt,
    );
  },
};

const workerSigterm: Scenario = {
  name: 'worker-sigterm',
  about:
    'SIGTERM to the worker mid-pull with a replacement started at once (a rolling restart): it finishes its jobs and exits 0',
  async run(ctx) {
    const w = await ctx.world({ schoolFaults: slowSchool(300) });
    await w.startApi();
    const first = w.startWorker();
    const runId = await w.requestRun();
    const at = await w.pulling(runId);
    if (!at)
      return finish(w, 'the run was never seen pulling', undefined, { failures: ['no pull to interrupt'] });
    const faultAt = Date.now();
    w.signal(first, 'SIGTERM');
    w.startWorker();
    const exit = await Promise.race([first.exited, sleep(30_000).then(() => 'still running after 30 s')]);
    const exitedIn = Date.now() - faultAt;
    const failures = exit === 0 ? [] : [`the worker given SIGTERM ended with ${exit}, not exit code 0`];
    return finish(
      w,
      `SIGTERM to the worker while pulling (${at.counts.pulled} read), a new worker started at once`,
      faultAt,
      { failures, extra: [`old worker exit ${exit} after ${seconds(exitedIn)}`] },
    );
  },
};

/**
 * Redis lost while a run pulls: the pull job is gone from Redis, the outbox still shows it pending,
 * and the next sweep (a worker seeing Redis back, a worker's start-up, or the minute's) sends it
 * again while the first worker is still pulling. The second claim must not take the run from under
 * the first: its lease is live.
 */
/**
 * Whether a worker started after a fault came up while the run was still pulling: its start-up
 * sweep is what sends the lost pull job again, so after the pull it would have nothing to show.
 */
async function stillPullingWhenUp(world: World, runId: string, worker: Child) {
  const up = await worker.printed(/Worker running/, 60_000).then(
    () => true,
    () => false,
  );
  const state = (await world.run(runId))?.state ?? 'unknown';
  const failures =
    up && state === 'pulling'
      ? []
      : [
          `${worker.name} came up ${up ? `with the run already ${state}` : 'not at all'}: the second claim was not exercised`,
        ];
  return { failures, extra: [`${worker.name} up while the run was ${state}`] };
}

/** Pages of students the school served: 13 a pull, so more means the run was pulled again. */
function pagesRead(world: World): string {
  const pages = world.school.state.requests.get('/api/v1/hoc-sinh') ?? 0;
  return `${pages} pages read (${(pages / 13).toFixed(1)} pulls)`;
}

const redisRestartMidPull: Scenario = {
  name: 'redis-restart-mid-pull',
  about:
    'Redis killed and restarted empty while two workers pull from a slow school (the pull lasts several lock periods); a third worker joins after',
  async run(ctx) {
    const w = await ctx.world({ schoolFaults: slowSchool(1_200), env: { WORKER_LOCK_MS: '2000' } });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const runId = await w.requestRun();
    const at = await w.pulling(runId);
    if (!at)
      return finish(w, 'the run was never seen pulling', undefined, { failures: ['no pull to interrupt'] });
    const faultAt = Date.now();
    await w.redis.restart();
    // A worker coming up (a supervisor's restart, another machine) sweeps the outbox at start.
    const joined = await stillPullingWhenUp(w, runId, w.startWorker());
    const result = await finish(
      w,
      `Redis restarted empty while pulling (${at.counts.pulled} read; pull ≈ 16 s, lock 2 s), two workers, a third joining after`,
      faultAt,
      joined,
    );
    result.found += `, ${pagesRead(w)}`;
    return result;
  },
};

const redisRestartMidPush: Scenario = {
  name: 'redis-restart-mid-push',
  about: 'Redis killed and restarted empty between two batches of the push, two workers',
  async run(ctx) {
    const w = await ctx.world({
      cityFaults: { latencyMs: 400 },
      env: { CITY_EDUDB_CONCURRENT_BATCHES: '1' },
    });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const runId = await w.requestRun();
    const at = await w.midPush(runId);
    if (!at)
      return finish(w, 'the run was never seen mid-push', undefined, { failures: ['no push to interrupt'] });
    const faultAt = Date.now();
    await w.redis.restart();
    return finish(
      w,
      `Redis restarted empty after ${at.pushed}/${at.total} batches pushed, two workers`,
      faultAt,
      { withinMs: SWEEP_RECOVERY_MS },
    );
  },
};

/**
 * Twice in a run: a crash while it pulls, then a fast shutdown while it pushes, each back after 2 s.
 * Whether a worker dies depends on whether a connection was in use when the server went; the pull
 * that met the database away is postponed, its lease lapses, and a worker takes it up again.
 */
const postgresRestartMidRun: Scenario = {
  name: 'postgres-restart-mid-run',
  about:
    'PostgreSQL crashed (SIGKILL to every process) mid-pull, then shut down (fast) mid-push, each back 2 s later; the workers must live on',
  async run(ctx) {
    const w = await ctx.world({
      schoolFaults: slowSchool(300),
      cityFaults: { latencyMs: 400 },
      env: { CITY_EDUDB_CONCURRENT_BATCHES: '1' },
    });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const runId = await w.requestRun();
    const pulling = await w.pulling(runId);
    if (!pulling)
      return finish(w, 'the run was never seen pulling', undefined, { failures: ['no pull to interrupt'] });
    const faultAt = Date.now();
    await w.suite.pg.stop('crash');
    await sleep(2_000);
    await w.suite.pg.start();
    const pushing = await w.midPush(runId, 45_000);
    if (pushing) {
      await w.suite.pg.stop('fast');
      await sleep(2_000);
      await w.suite.pg.start();
    }
    return finish(
      w,
      `PostgreSQL killed while pulling (${pulling.counts.pulled} read), ${pushing ? `shut down after ${pushing.pushed}/${pushing.total} batches pushed` : 'the push never seen'}, back after 2 s each time`,
      faultAt,
    );
  },
};

/**
 * Terminated three times in each phase, 400 ms apart: a connection is cut while idle in the pool
 * or while a query or transaction holds it, and only the second kind shows whether an error on a
 * connection in use is handled; one blow would hit it by chance.
 */
const TERMINATIONS = 3;
const postgresTerminate: Scenario = {
  name: 'postgres-terminate-connections',
  about: `every connection to the hub's database terminated (pg_terminate_backend) ${TERMINATIONS} times mid-pull and ${TERMINATIONS} times mid-push`,
  async run(ctx) {
    const w = await ctx.world({ schoolFaults: slowSchool(400), cityFaults: { latencyMs: 400 } });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const runId = await w.requestRun();
    const terminate = async () => {
      let n = 0;
      for (let i = 0; i < TERMINATIONS; i++) {
        if (i > 0) await sleep(400);
        n += await w.suite.pg.terminateBackends(w.dbName);
      }
      return n;
    };
    const at = await w.pulling(runId);
    if (!at)
      return finish(w, 'the run was never seen pulling', undefined, { failures: ['no pull to interrupt'] });
    const faultAt = Date.now();
    const first = await terminate();
    const push = await w.midPush(runId, 30_000);
    const second = push ? await terminate() : 0;
    return finish(
      w,
      `${first} connections terminated while pulling (${at.counts.pulled} read), ${push ? `${second} after ${push.pushed}/${push.total} batches pushed` : 'the push never seen'}`,
      faultAt,
    );
  },
};

const threeWorkers: Scenario = {
  name: 'three-workers-1s-lock',
  about:
    'three workers with WORKER_LOCK_MS=1000 on a pull lasting ≈ 13 lock periods; Redis restarted empty mid-pull, then one worker restarted (SIGTERM and a replacement)',
  async run(ctx) {
    const w = await ctx.world({
      schoolFaults: slowSchool(1_000),
      cityFaults: { latencyMs: 200 },
      env: { WORKER_LOCK_MS: '1000' },
    });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const third = w.startWorker();
    const runId = await w.requestRun();
    const at = await w.pulling(runId);
    if (!at)
      return finish(w, 'the run was never seen pulling', undefined, { failures: ['no pull to interrupt'] });
    const faultAt = Date.now();
    await w.redis.restart();
    w.signal(third, 'SIGTERM');
    const joined = await stillPullingWhenUp(w, runId, w.startWorker());
    const result = await finish(
      w,
      `three workers, 1 s lock, Redis restarted empty while pulling (${at.counts.pulled} read; pull ≈ 13 s), worker-3 replaced`,
      faultAt,
      joined,
    );
    // SIGTERM lets the jobs in hand finish: once the run is over, the worker has none left.
    const exit = await Promise.race([third.exited, sleep(15_000).then(() => undefined)]);
    if (exit === undefined)
      result.failures.push(
        `worker-3 still running ${seconds(Date.now() - faultAt)} after its SIGTERM, 15 s after the run ended`,
      );
    result.found += exit === undefined ? ', worker-3 did not exit on SIGTERM' : `, worker-3 exit ${exit}`;
    result.found += `, ${pagesRead(w)}`;
    return result;
  },
};

const OUTAGE_MS = 6_000;
const cityOutage: Scenario = {
  name: 'city-outage',
  about: `the city answers 503 for ${OUTAGE_MS / 1000} s from the second batch on: 60 breaker cooldowns of 100 ms, more tries than PUSH_ATTEMPTS=3 (the 10-minute outage, made short by settings)`,
  async run(ctx) {
    const w = await ctx.world({
      cityFaults: { latencyMs: 100 },
      env: {
        CITY_EDUDB_CONCURRENT_BATCHES: '1',
        PUSH_ATTEMPTS: '3',
        BREAKER_FAILURES: '3',
        BREAKER_COOLDOWN_MS: '100',
      },
    });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const runId = await w.requestRun();
    const at = await w.midPush(runId);
    if (!at)
      return finish(w, 'the run was never seen mid-push', undefined, { failures: ['no push to interrupt'] });
    const faultAt = Date.now();
    w.city.city.faults.set({ latencyMs: 100, outage: { until: faultAt + OUTAGE_MS, retryAfterSeconds: 1 } });
    const refused = () => w.city.city.state.faultsInjected.unavailable;
    await sleep(OUTAGE_MS);
    const during = refused();
    const failures =
      during > 3
        ? []
        : [`the city answered 503 only ${during} times: the outage did not outlast the attempts`];
    return finish(
      w,
      `city 503 for ${seconds(OUTAGE_MS)} after ${at.pushed}/${at.total} batches pushed`,
      faultAt,
      {
        failures,
        extra: [`503 answered ${refused()} times`],
      },
    );
  },
};

const gatewayTimeouts: Scenario = {
  name: 'gateway-timeouts',
  about:
    "the city applies three batches but answers after the hub's 1 s timeout (stall 2.5 s): sent again under the same key, applied once",
  async run(ctx) {
    const w = await ctx.world({
      cityFaults: { stall: { count: 3, ms: 2_500 } },
      env: { CITY_EDUDB_TIMEOUT_MS: '1000' },
    });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const faultAt = Date.now();
    await w.requestRun();
    const result = await finish(
      w,
      '3 batches applied at the city and answered after the timeout (2.5 s > 1 s)',
      faultAt,
    );
    const state = w.city.city.state;
    const repeated = [...state.idempotencyKeys.values()].filter((n) => n > 1).length;
    if (state.faultsInjected.stall !== 3)
      result.failures.push(`${state.faultsInjected.stall} stalls injected, not 3`);
    if (repeated === 0) result.failures.push('no batch was sent again under its idempotency key');
    result.found += `, ${repeated} keys sent more than once`;
    return result;
  },
};

const malformedPage: Scenario = {
  name: 'malformed-page',
  about:
    'the school system cuts two pages of students short (broken JSON) in the middle of the pull: retried, every record delivered',
  async run(ctx) {
    const w = await ctx.world({ schoolFaults: { brokenPages: 2, after: 4, paths: ['/api/v1/hoc-sinh'] } });
    await w.startApi();
    w.startWorker();
    w.startWorker();
    const faultAt = Date.now();
    await w.requestRun();
    const result = await finish(w, 'pages 5 and 6 of 13 cut short', faultAt);
    result.found += `, ${w.school.state.faults.injected.brokenPages} broken pages served`;
    return result;
  },
};

const apiWhileRedisDown: Scenario = {
  name: 'api-while-redis-down',
  about:
    'the API with Redis down (POST /v1/runs 503 + Retry-After within 2 s, /readyz 503 naming redis, /healthz 200), then Idempotency-Key on POST /v1/runs',
  async run(ctx) {
    const w = await ctx.world();
    await w.startApi();
    w.startWorker();
    const api = w.api!;
    const failures: string[] = [];
    await w.redis.kill();
    const post = await w.postRun({}, { timeoutMs: 2_000 });
    if (post.status !== 503)
      failures.push(
        `POST /v1/runs with Redis down: ${post.status === 0 ? post.error : `answered ${post.status}`}, not 503`,
      );
    else if (!post.headers?.get('retry-after'))
      failures.push('POST /v1/runs answered 503 without Retry-After');
    if (post.status !== 0 && post.ms > 2_000)
      failures.push(`POST /v1/runs took ${Math.round(post.ms)} ms (≤ 2000)`);
    const ready = await w.http('GET', `${api.url}/readyz`, { timeoutMs: 3_000 });
    const readyRedis = (ready.body as { checks?: { redis?: string } } | undefined)?.checks?.redis ?? '';
    if (ready.status !== 503 || !readyRedis.startsWith('down'))
      failures.push(
        `/readyz with Redis down: ${ready.status || ready.error}, redis "${readyRedis}" (want 503 naming redis)`,
      );
    const health = await w.http('GET', `${api.url}/healthz`, { timeoutMs: 2_000 });
    if (health.status !== 200)
      failures.push(`/healthz with Redis down: ${health.status || health.error}, not 200`);

    await w.redis.start();
    const faultAt = Date.now();
    const back = await w.until(async () => {
      const r = await w.http('GET', `${api.url}/readyz`, { timeoutMs: 2_000 });
      return r.status === 200 ? r : undefined;
    }, 30_000);
    if (!back) failures.push('/readyz did not answer 200 within 30 s of Redis coming back');

    const key = { 'idempotency-key': 'faults-api-1' };
    const one = await w.postRun({}, { headers: key });
    const two = await w.postRun({}, { headers: key });
    const other = await w.postRun({ mode: 'incremental' }, { headers: key });
    const idOf = (a: typeof one) => (a.body as { id?: string } | undefined)?.id;
    if (one.status !== 202 || !idOf(one))
      failures.push(`POST /v1/runs with an Idempotency-Key: ${one.status || one.error}`);
    else if (idOf(two) !== idOf(one))
      failures.push(
        `the same Idempotency-Key and body twice gave runs ${idOf(one)} and ${idOf(two)} (${two.status})`,
      );
    if (other.status !== 422)
      failures.push(`the same Idempotency-Key with another body: ${other.status || other.error}, not 422`);
    return finish(w, 'Redis killed under the API, then started again empty', faultAt, {
      failures,
      extra: [
        `POST ${post.status || 'no answer'} in ${Math.round(post.ms)} ms (Retry-After ${post.headers?.get('retry-after') ?? 'none'})`,
        `readyz ${ready.status}, healthz ${health.status}`,
        `same key twice ${idOf(two) !== undefined && idOf(two) === idOf(one) ? 'same run' : 'two runs'}, other body ${other.status}`,
      ],
    });
  },
};

export const SCENARIOS: readonly Scenario[] = [
  twoWorkers,
  workerKillMidPull,
  workerKillMidPush,
  workerSigterm,
  redisRestartMidPull,
  redisRestartMidPush,
  postgresRestartMidRun,
  postgresTerminate,
  threeWorkers,
  cityOutage,
  gatewayTimeouts,
  malformedPage,
  apiWhileRedisDown,
];
