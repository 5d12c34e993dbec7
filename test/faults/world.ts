/**
 * One scenario's world: a database of its own in the suite's PostgreSQL, a redis-server of its
 * own, the school system and the city, and the hub as real processes (`edubridge serve` and
 * `edubridge worker`) configured through their environment only. Scenarios start and stop its
 * pieces, watch the hub's tables to choose the moment of a fault, and end with `reconcile()`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { CityFaultPlan } from '../../sandbox/city-edudb/index.ts';
import { reservePort } from '../../sandbox/ports.ts';
import type { RestSchool } from '../../sandbox/vendors/rest-school/index.ts';
import type { FaultPlan } from '../../sandbox/vendors/shared/faults.ts';
import { type Child, startChild } from './children.ts';
import { type Reconciliation, type RunRow, reconcile } from './reconcile.ts';
import { type City, type District, startCity, startSchool, writeSources } from './sandboxes.ts';
import { type PrivatePostgres, type PrivateRedis, startRedis } from './services.ts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One school of 4 grades × 4 classes of about 30 (486 students with this seed): 5 batches of 100. */
export const DISTRICT: District = { seed: 23, schools: 1, classesPerGrade: 4, classSize: 30 };

export interface Suite {
  /** The suite's temp dir (logs, PostgreSQL's data, sources files). */
  dir: string;
  pg: PrivatePostgres;
  /** The repository, where `bin/edubridge.js` is. */
  root: string;
}

export interface WorldOptions {
  district?: District;
  /** Every n-th student is unknown to the city (default 20). */
  unknownEvery?: number;
  /** Records a page the adapter asks the school for (default 40: 13 pages for 486 students). */
  pageSize?: number;
  schoolFaults?: FaultPlan;
  cityFaults?: CityFaultPlan;
  /** Settings for every hub process of the scenario, over the suite's defaults. */
  env?: Record<string, string>;
}

/** Lines every hub process prints at start-up: not worth a failed scenario's report. */
const NOISE =
  /DATA_KEYS is not set|BLIND_INDEX_KEY is not set|^Lịch \/ Schedules|Worker running|Đưa lại vào hàng đợi/;

/** Errors the scenario caused on purpose (a service it killed), not findings. */
const EXPECTED = /ECONNREFUSED|Connection is closed|connect ECONNRESET/;

/** The error a line of output reports, if any: pino's JSON (level ≥ 40) or a thrown error's first line. */
function errorMessage(line: string): string | undefined {
  const text = line.trim();
  if (text.startsWith('{')) {
    try {
      const entry = JSON.parse(text) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 40) return undefined;
      return [entry.msg, entry.err?.message].filter(Boolean).join(': ');
    } catch {
      return undefined;
    }
  }
  return /^(\w*Error|error)\b|Error:|Unhandled/.test(text) && !/^at\s/.test(text) ? text : undefined;
}

export const TERMINAL_STATES = new Set(['succeeded', 'failed', 'cancelled', 'held']);

export interface HttpAnswer {
  /** 0 when no answer came in time (`error` says why). */
  status: number;
  headers: Headers | undefined;
  body: unknown;
  ms: number;
  error?: string;
}

export class World {
  readonly workers: Child[] = [];
  api: { child: Child; url: string; key: string } | undefined;
  /** Processes the scenario stopped on purpose: their exit is not a finding. */
  private readonly stopped = new Set<Child>();
  private readonly children: Child[] = [];

  private readonly born = performance.now();

  /** A timeline line on stderr with FAULTS_VERBOSE=1, to see where a scenario spends its time. */
  note(text: string): void {
    if (process.env.FAULTS_VERBOSE)
      process.stderr.write(
        `  [${this.name} +${((performance.now() - this.born) / 1000).toFixed(1)} s] ${text}\n`,
      );
  }

  private constructor(
    readonly name: string,
    readonly suite: Suite,
    readonly dir: string,
    readonly dbName: string,
    readonly databaseUrl: string,
    readonly pool: pg.Pool,
    readonly redis: PrivateRedis,
    readonly school: RestSchool,
    readonly city: City,
    readonly schools: string[],
    private readonly env: Record<string, string>,
  ) {}

  static async create(suite: Suite, name: string, options: WorldOptions = {}): Promise<World> {
    const dir = join(suite.dir, name);
    await mkdir(dir, { recursive: true });
    const district = options.district ?? DISTRICT;
    const dbName = `faults_${name.replaceAll('-', '_')}_${randomBytes(3).toString('hex')}`;
    const databaseUrl = await suite.pg.createDatabase(dbName);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // PostgreSQL restarts and terminated connections are the point of some scenarios.
    pool.on('error', () => {});
    const redis = await startRedis(dir, name);
    const [school, city] = await Promise.all([
      startSchool(district, options.schoolFaults),
      startCity(district, options.unknownEvery ?? 20, options.cityFaults),
    ]);
    const schools = [...city.expected.keys()].sort();
    if (process.env.FAULTS_VERBOSE) process.stderr.write(`  [${name}] world ready\n`);
    const sourcesFile = join(dir, 'sources.json');
    await writeSources(sourcesFile, school, schools, options.pageSize ?? 40);
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'faults',
      SOURCES_FILE: sourcesFile,
      SYNC_BATCH_SIZE: '100',
      ...city.env,
      CITY_EDUDB_REQUESTS_PER_SECOND: '100',
      CITY_EDUDB_CONCURRENT_BATCHES: '2',
      // Short, so a killed worker's jobs come back within seconds, not the default 30.
      WORKER_LOCK_MS: '3000',
      ...options.env,
    };
    return new World(name, suite, dir, dbName, databaseUrl, pool, redis, school, city, schools, env);
  }

  private hubEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, ...this.env, ...extra };
  }

  private spawnHub(label: string, args: string[], extra?: Record<string, string>): Child {
    const child = startChild(
      label,
      process.execPath,
      ['bin/edubridge.js', ...args],
      join(this.dir, `${label}.log`),
      {
        cwd: this.suite.root,
        env: this.hubEnv(extra),
      },
    );
    this.children.push(child);
    return child;
  }

  /** `edubridge worker`, as a supervisor would start one. */
  startWorker(extra?: Record<string, string>): Child {
    const child = this.spawnHub(`worker-${this.workers.length + 1}`, ['worker'], extra);
    this.workers.push(child);
    void child.printed(/Worker running/, 60_000).then(
      () => this.note(`${child.name} running`),
      () => {},
    );
    return child;
  }

  /** `edubridge serve` on a free port, and a district API key for the scenario's schools. */
  async startApi(extra?: Record<string, string>): Promise<void> {
    const port = await reservePort();
    await port.release();
    const child = this.spawnHub('api', ['serve'], { HOST: '127.0.0.1', PORT: String(port.port), ...extra });
    const url = `http://127.0.0.1:${port.port}`;
    const [key] = await Promise.all([this.createKey(), this.untilListening(child, url)]);
    this.api = { child, url, key };
    this.note('API listening, key created');
  }

  private async untilListening(child: Child, url: string): Promise<void> {
    const until = Date.now() + 30_000;
    for (;;) {
      if (child.exit !== undefined)
        throw new Error(`the API exited (${child.exit}): ${child.tail(5).join(' | ')}`);
      const answer = await this.http('GET', `${url}/healthz`, { timeoutMs: 1_000 });
      if (answer.status === 200) return;
      if (Date.now() > until) throw new Error('the API did not answer /healthz within 30 s');
      await sleep(100);
    }
  }

  /** `edubridge apikey create --role district`, as an operator would make one. */
  private async createKey(): Promise<string> {
    const { stdout } = await run(
      process.execPath,
      [
        'bin/edubridge.js',
        'apikey',
        'create',
        '--role',
        'district',
        '--schools',
        this.schools.join(','),
        '--json',
      ],
      { cwd: this.suite.root, env: this.hubEnv(), timeout: 60_000 },
    );
    return (JSON.parse(stdout) as { key: string }).key;
  }

  /** A request with a deadline: no answer in time is an answer too (status 0). */
  async http(
    method: string,
    url: string,
    options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpAnswer> {
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: kept as text.
      }
      return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
    } catch (error) {
      const ms = performance.now() - started;
      const name = (error as Error).name;
      return {
        status: 0,
        headers: undefined,
        body: undefined,
        ms,
        error: name === 'TimeoutError' ? `no answer within ${Math.round(ms)} ms` : (error as Error).message,
      };
    }
  }

  /** `POST /v1/runs` with the scenario's key. */
  postRun(
    body: Record<string, unknown> = {},
    options: { headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpAnswer> {
    if (!this.api) throw new Error('start the API first');
    return this.http('POST', `${this.api.url}/v1/runs`, {
      body: { schoolCode: this.schools[0], streams: ['students'], mode: 'full', ...body },
      headers: { 'x-api-key': this.api.key, ...options.headers },
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  }

  /** Requests a full run of the school's students through the API; its id. */
  async requestRun(schoolCode = this.schools[0]!): Promise<string> {
    const answer = await this.postRun({ schoolCode });
    this.note(`POST /v1/runs ${answer.status}`);
    const id = (answer.body as { id?: unknown } | undefined)?.id;
    if (answer.status !== 202 || typeof id !== 'string')
      throw new Error(
        `POST /v1/runs answered ${answer.status || answer.error}: ${JSON.stringify(answer.body)}`,
      );
    return id;
  }

  /** The run as the hub's table has it (undefined while the database does not answer). */
  async run(id: string): Promise<RunRow | undefined> {
    try {
      const { rows } = await this.pool.query<RunRow>(
        'select id, school_code, state, counts, created_at, finished_at from runs where id = $1',
        [id],
      );
      return rows[0];
    } catch {
      return undefined;
    }
  }

  /** The run's staged batches: how many, how many pushed (undefined while the database does not answer). */
  async batches(id: string): Promise<{ total: number; pushed: number } | undefined> {
    try {
      const { rows } = await this.pool.query<{ total: string; pushed: string }>(
        'select count(*) as total, count(pushed_at) as pushed from staged_batches where run_id = $1',
        [id],
      );
      return { total: Number(rows[0]?.total ?? 0), pushed: Number(rows[0]?.pushed ?? 0) };
    } catch {
      return undefined;
    }
  }

  /** Polls `check` until it returns a value; undefined after `timeoutMs` (a check that throws is "not yet"). */
  async until<T>(
    check: () => Promise<T | undefined>,
    timeoutMs: number,
    everyMs = 50,
  ): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) return undefined;
      await sleep(everyMs);
    }
  }

  /** The run pulling, with some records read (the pull writes its counts every ~2 s). */
  pulling(runId: string, timeoutMs = 60_000) {
    return this.until(async () => {
      const r = await this.run(runId);
      return r?.state === 'pulling' && (r.counts.pulled ?? 0) > 0 ? r : undefined;
    }, timeoutMs);
  }

  /** The run pushing with at least one batch recorded and others not. */
  midPush(runId: string, timeoutMs = 60_000) {
    return this.until(
      async () => {
        const r = await this.run(runId);
        const b = await this.batches(runId);
        return r?.state === 'pushing' && b && b.pushed >= 1 && b.pushed < b.total ? b : undefined;
      },
      timeoutMs,
      20,
    );
  }

  /** Waits for every run of the scenario to reach a final state; false if one had not by the deadline. */
  async runsEnded(timeoutMs: number): Promise<boolean> {
    const done = await this.until(
      async () => {
        const { rows } = await this.pool.query<{ state: string }>('select state from runs');
        return rows.length > 0 && rows.every((r) => TERMINAL_STATES.has(r.state)) ? true : undefined;
      },
      timeoutMs,
      100,
    );
    this.note(done ? 'runs ended' : 'runs did not end in time');
    return done === true;
  }

  /**
   * Waits until neither the school system nor the city has been called for `quietMs`: a pull or a
   * push still going after its run ended (a second claim of the run, say) leaves its mark before
   * the reconciliation, not after it. False if the calls went on for `maxMs`.
   */
  async settle(quietMs = 2_000, maxMs = 30_000): Promise<boolean> {
    const activity = () =>
      [...this.school.state.requests.values()].reduce((n, v) => n + v, 0) + this.city.gateway.record.calls;
    const deadline = Date.now() + maxMs;
    let last = activity();
    let since = Date.now();
    while (Date.now() < deadline) {
      await sleep(200);
      const now = activity();
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return true;
    }
    this.note('still busy');
    return false;
  }

  /** SIGKILL to a hub process, on purpose. */
  async kill(child: Child): Promise<void> {
    this.stopped.add(child);
    await child.kill();
    this.note(`${child.name} killed`);
  }

  /** A signal to a hub process, on purpose (its exit is then the scenario's business). */
  signal(child: Child, signal: NodeJS.Signals): void {
    this.stopped.add(child);
    child.signal(signal);
  }

  /** Hub processes that exited without the scenario stopping them: a finding each. */
  unexpectedExits(): string[] {
    return this.children
      .filter((c) => c.exit !== undefined && !this.stopped.has(c))
      .map((c) => {
        const errors = c
          .tail(200)
          .map(errorMessage)
          .filter((m): m is string => m !== undefined && !EXPECTED.test(m) && !/^\s*throw /.test(m));
        return `${c.name} exited (${c.exit}) on its own: ${errors[0] ?? c.tail(1)[0] ?? 'no output'}`;
      });
  }

  async reconcile(faultAt?: number): Promise<Reconciliation> {
    if (process.env.FAULTS_VERBOSE) {
      const timings = await this.pool.query(
        'select state, timings, finished_at - started_at as took from runs',
      );
      for (const r of timings.rows)
        this.note(`run ${r.state} ${JSON.stringify(r.timings)} ${JSON.stringify(r.took)}`);
    }
    return reconcile(this.pool, this.city.city, this.city.expected, { faultAt, schools: this.schools });
  }

  /**
   * What each hub process said that matters, for a failed scenario's report: its distinct error
   * messages (pino's JSON lines read for their message), without the connection refusals a killed
   * Redis or PostgreSQL causes on purpose, and for a process that died, its last lines.
   */
  logTails(max = 4): string[] {
    return this.children.flatMap((c) => {
      const messages = new Set<string>();
      for (const line of c.tail(200)) {
        const message = errorMessage(line);
        if (message && !EXPECTED.test(message)) messages.add(message.slice(0, 240));
      }
      const shown = [...messages].slice(0, max);
      if (c.exit !== undefined && !this.stopped.has(c))
        shown.push(...c.tail(3).filter((l) => l.trim() !== '' && !NOISE.test(l)));
      if (shown.length === 0) return [];
      const state = c.exit === undefined ? 'running' : `exited ${c.exit}`;
      return [`${c.name} (${state}, ${c.logFile}):`, ...shown.map((l) => `  ${l}`)];
    });
  }

  async close(keep: boolean): Promise<void> {
    await Promise.all(this.children.map((c) => c.kill()));
    await this.redis.close();
    await Promise.allSettled([this.school.close(), this.city.close()]);
    await this.pool.end().catch(() => {});
    if (!keep && this.suite.pg.running) await this.suite.pg.dropDatabase(this.dbName).catch(() => {});
  }
}
