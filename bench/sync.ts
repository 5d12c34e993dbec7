/**
 * `npm run bench -- sync [--students 100000] [--workers 2] [--concurrency 2] [--page-size 5000]
 * [--worker-heap-mb 256] [--profile DIR]`: the whole pipeline on a district of about 100,000
 * students with guardians. The sandbox REST school system, the LGSP gateway and the city Education
 * DB run in a child process (their memory is not the hub's); the hub runs against the local
 * PostgreSQL (a database of its own, dropped after) and the local Redis (a key prefix of its own), as
 * in production: this process requests each run (a queued run and its outbox row) and worker
 * processes (`--workers`, started as `npm run worker` starts one; 0 = a worker pool in this process)
 * carry out a pull job per run and a push job per staged batch, through the `rest` adapter, the
 * rules, the identity registry, the ledger and the gateway:
 *   1. a first full sync (everything new), then the floor (`floorPass`: a plain fetch script on the
 *      same district, no guarantees) and the ratio hub/floor, then VACUUM (ANALYZE) of the database
 *      (timed, not counted: the autovacuum a first load calls for), 2. a second full scan where
 *      nothing changed, 3. 1 % of the students changed at the source, then an incremental sync.
 * `--floor-only` (`npm run bench -- floor`) stops after the first sync and the floor.
 * Beside them, the raw limits of hub-side layers measured in the same run: validation + hash alone,
 * the ledger diff and the ledger no-op upsert of unchanged records, and BullMQ jobs of 100 records
 * through a no-op worker. For each pass: the CPU seconds of every process involved (this one, the
 * workers, the sandboxes, PostgreSQL, Redis) and each step's time summed over the runs, from the
 * runs' own timings. Writes bench/results/sync.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import pg from 'pg';
import { cpuSeconds, cpuSpent, machine } from './machine.ts';

const STUDENTS_PER_SCHOOL = 4 * 8 * 42;
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const VENDOR_KEY = 'bench-vendor-key';

type PageOf = { pagination?: object };
/** Pages of 5,000: the benchmark measures the hub, not the sandbox's paging. */
const PAGE_SIZE = option('--page-size', 5_000);
const bigPages = (v: PageOf) => ({ ...v, pagination: { ...(v.pagination ?? {}), pageSize: PAGE_SIZE } });
const CONCURRENCY = option('--concurrency', 2);
/**
 * Worker processes, as `npm run worker` starts them (default 2, one a core here; 0: the workers run
 * in the benchmark's own process).
 */
const WORKERS = option('--workers', 2);
/**
 * The old-generation heap limit of each worker process, as `npm run worker` starts one: without
 * it V8 lets garbage pile up before collecting (measured on 30,974 students: peak RSS 426–466 MB a
 * worker uncapped, 272–283 MB capped at 192 or 256 MB, at the same speed within the noise; 256
 * leaves room for larger schools).
 */
const WORKER_HEAP_MB = option('--worker-heap-mb', 256);
const SEED = 42;

async function serve(): Promise<void> {
  const schools = Math.ceil(option('--students', 100_000) / STUDENTS_PER_SCHOOL);
  const { startRestSchool } = await import('../sandbox/vendors/rest-school/index.ts');
  const { startCitySandbox } = await import('../sandbox/city-edudb/index.ts');
  const school = await startRestSchool({
    seed: SEED,
    schools,
    auth: { type: 'apiKey', key: VENDOR_KEY },
    maxPageSize: 5_000,
    fees: false,
  });
  // Every student known to the city: the benchmark measures delivery, not the review list.
  const city = await startCitySandbox({
    personality: 'wso2',
    district: { seed: SEED, schools, unknownEvery: 1_000_000_000 },
  });
  const codes = [
    ...new Set(
      school.state.data.students
        .idList()
        .map((id) => (school.state.data.students.get(id) as { maTruong: string }).maTruong),
    ),
  ].sort();
  process.stdout.write(
    `${JSON.stringify({ restUrl: school.url, gateway: city.gatewayClientOptions(), schools: codes, students: school.state.data.students.size })}\n`,
  );
  process.on('SIGTERM', () => void Promise.all([school.close(), city.close()]).then(() => process.exit(0)));
}

async function firstLine(proc: ChildProcess): Promise<string> {
  for await (const line of createInterface({ input: proc.stdout! })) return line;
  throw new Error('the sandbox process printed nothing');
}

interface SandboxInfo {
  restUrl: string;
  gateway: Record<string, unknown>;
  schools: string[];
  students: number;
}

const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The hub as `edubridge worker` builds it, against the sandbox: the `rest` adapter for every
 * school (pages of 5,000), the city Education DB target through the gateway, identity registration
 * on, the database and the Redis prefix given. `startWorkers` starts the pull and push workers.
 */
async function buildHub(sandbox: SandboxInfo, databaseUrl: string, prefix: string) {
  const { default: rest } = await import('../adapters/rest/index.ts');
  const { sandboxSchoolProfile } = await import('../sandbox/vendors/rest-school/profile.ts');
  const { createGatewayClient } = await import('../src/gateway/index.ts');
  const store = await import('../src/store/index.ts');
  const { createCityEduDbTarget } = await import('../src/targets/city-edudb.ts');
  const { createRunQueue, queueConnection } = await import('../src/pipeline/queue.ts');
  const { RunService } = await import('../src/pipeline/service.ts');
  const { startSyncWorkers } = await import('../src/pipeline/workers.ts');
  const { runObservers } = await import('../src/app/observers.ts');

  const db = await store.createDatabase({ DATABASE_URL: databaseUrl } as never);
  const keyring = store.loadKeyring({ NODE_ENV: 'test' }, () => {});
  const target = createCityEduDbTarget({ gateway: createGatewayClient(sandbox.gateway as never) });
  const profiles = new Map(sandbox.schools.map((code) => [code, sandboxSchoolProfile(code)]));
  const redis = queueConnection(REDIS_URL);
  const sourceOf = (code: string) => ({
    adapter: 'rest',
    config: {
      baseUrl: sandbox.restUrl,
      profile: {
        ...profiles.get(code),
        streams: Object.fromEntries(
          Object.entries((profiles.get(code) as { streams: Record<string, PageOf | PageOf[]> }).streams).map(
            ([k, v]) => [k, Array.isArray(v) ? v.map(bigPages) : bigPages(v)],
          ),
        ),
      },
      auth: { type: 'apiKey', key: VENDOR_KEY },
    },
  });
  const sources = Object.fromEntries(sandbox.schools.map((code) => [code, sourceOf(code)]));
  const service = new RunService({
    db,
    keyring,
    // As `edubridge worker` and the API run it (createHub): every run registers the people it
    // reads and keeps the education reports' facts.
    ...runObservers(db, keyring),
    queue: createRunQueue(redis, prefix),
    sources: async () => sources,
    targets: () => [target],
    loadAdapter: async () => rest,
    holdThreshold: 1,
    batchSize: 1_000,
  });
  return {
    db,
    keyring,
    target,
    rest,
    profiles,
    service,
    // The sandbox gateway has no quota: the limits are set above what the machine can do.
    startWorkers: () =>
      startSyncWorkers({
        connect: () => queueConnection(REDIS_URL),
        prefix,
        service,
        pullConcurrency: CONCURRENCY,
        limits: { 'city-edudb': { requestsPerSecond: 1_000, concurrentBatches: 4 } },
        sweepEveryMs: 0,
      }),
    async close() {
      await service.close();
      redis.disconnect();
      await db.close();
    },
  };
}

/**
 * `--worker`: one worker process of the hub, as `edubridge worker` on another machine would be.
 * Reads the sandbox, database and prefix from its first line of input; prints `ready`; on SIGTERM
 * closes and prints its peak RSS.
 */
async function worker(): Promise<void> {
  const line = await firstLineOf(process.stdin);
  const { sandbox, databaseUrl, prefix } = JSON.parse(line) as {
    sandbox: SandboxInfo;
    databaseUrl: string;
    prefix: string;
  };
  const hub = await buildHub(sandbox, databaseUrl, prefix);
  const workers = await hub.startWorkers();
  let atPeak = process.memoryUsage();
  setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > atPeak.rss) atPeak = m;
  }, 100).unref();
  process.on('SIGTERM', () => {
    void (async () => {
      await workers.close();
      await hub.close();
      const atPeakMB = Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, v >> 20]));
      const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
      process.stdout.write(`${JSON.stringify({ peakRssMB, atPeakMB })}\n`);
      process.exit(0);
    })();
  });
  process.stdout.write('ready\n');
}

async function firstLineOf(input: NodeJS.ReadableStream): Promise<string> {
  for await (const line of createInterface({ input })) return line;
  throw new Error('nothing to read');
}

/**
 * The floor: what a plain script does with the same district in the same run, with none of the
 * hub's guarantees (no validation, ledger, identity, retries or persistence). For each school, four
 * at a time as the hub's two workers pull: `fetch` every page of students, rename the fields to the
 * city's (a lookup per field, no checks), and post batches of 1,000 through the gateway (the hub's
 * gateway client, for the gateway's token and envelope only). The city's answers are counted, so a
 * floor that the city refused would show. The hub's first sync over the floor is the ratio the
 * issue asks for (`npm run bench -- floor` runs this pass and the hub's first sync only).
 */
async function floorPass(sandbox: SandboxInfo, sandboxPid: number) {
  const { createGatewayClient } = await import('../src/gateway/index.ts');
  const gateway = createGatewayClient(sandbox.gateway as never);
  const GENDER: Record<string, string> = { Nam: '1', Nữ: '2' };
  const RELATION: Record<string, string> = { Cha: 'Cha', Mẹ: 'Me' };
  type Row = Record<string, unknown> & { phuHuynh?: Array<Record<string, string>> };
  const rename = (r: Row) => {
    const out: Record<string, unknown> = {
      MaTruong: r.maTruong,
      MaHocSinh: r.maHocSinh,
      HoTen: r.hoTen,
      NgaySinh: r.ngaySinh,
      GioiTinh: GENDER[r.gioiTinh as string],
      MaDanToc: r.maDanToc,
      SoDinhDanh: r.soDinhDanh,
      NamHoc: r.namHoc,
      MaLop: `${r.maTruong}.${String(r.namHoc).slice(0, 4)}.${r.maLop}`,
    };
    for (const g of r.phuHuynh ?? []) {
      const p = RELATION[g.quanHe!] ?? 'NguoiGiamHo';
      out[`HoTen${p}`] = g.hoTen;
      out[`SoDinhDanh${p}`] = g.soDinhDanh;
      out[`SoDienThoai${p}`] = g.dienThoai;
      out[`NamSinh${p}`] = Number(g.ngaySinh?.slice(6, 10));
    }
    return { key: `rest-sandbox-school:student-${r.maHocSinh}`, kind: 'HocSinh', record: out };
  };
  const tally = { pulled: 0, accepted: 0, other: 0 };
  const cpuBefore = cpuSeconds(sandboxPid, []);
  const started = performance.now();
  let batchNo = 0;
  async function school(code: string) {
    for (let page = 1; ; page++) {
      const res = await fetch(
        `${sandbox.restUrl}/api/v1/hoc-sinh?maTruong=${code}&trang=${page}&kichThuoc=${PAGE_SIZE}`,
        { headers: { 'x-api-key': VENDOR_KEY } },
      );
      const body = (await res.json()) as { duLieu: Row[] };
      const rows = body.duLieu.filter((r) => r.maTruong === code);
      tally.pulled += rows.length;
      for (let i = 0; i < rows.length; i += 1_000) {
        const records = rows.slice(i, i + 1_000).map(rename);
        const idempotencyKey = `floor-${randomUUID()}-${++batchNo}`;
        const answer = await gateway.send({
          service: 'csdl-nganh',
          operation: 'hocsinh',
          body: { idempotencyKey, records, deletes: [] },
          idempotencyKey,
          correlationId: idempotencyKey,
        });
        for (const r of (answer.body as { results: Array<{ status: string }> }).results)
          if (r.status === 'accepted') tally.accepted++;
          else {
            if (tally.other === 0) process.stderr.write(`floor: the city answered ${JSON.stringify(r)}\n`);
            tally.other++;
          }
      }
      if (body.duLieu.length < PAGE_SIZE) return;
    }
  }
  const queue = [...sandbox.schools];
  await Promise.all(
    Array.from({ length: Math.max(1, WORKERS) * CONCURRENCY }, async () => {
      for (let code = queue.shift(); code; code = queue.shift()) await school(code);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    ...tally,
    seconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Math.round(tally.pulled / seconds),
    cpuSeconds: cpuSpent(cpuBefore, cpuSeconds(sandboxPid, [])),
  };
}

async function main(): Promise<void> {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--serve', '--students', String(option('--students', 100_000))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const dbName = `edubridge_bench_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const workerProcesses: ChildProcess[] = [];
  try {
    const sandbox = JSON.parse(await firstLine(server)) as SandboxInfo;
    const store = await import('../src/store/index.ts');
    const { checkRecord } = await import('../src/model/index.ts');
    const databaseUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
    const prefix = `edubridge-bench-${randomUUID().slice(0, 8)}`;
    const hub = await buildHub(sandbox, databaseUrl, prefix);
    const { db, keyring, target, rest, profiles, service } = hub;
    await store.migrateToLatest(db);
    const asOf = new Date('2026-11-27T00:00:00Z');
    // With --workers N, the work is done by N worker processes, as `edubridge worker` on N machines
    // (or N times on one) would; without it, by a worker pool in this process.
    const workers = WORKERS > 0 ? undefined : await hub.startWorkers();
    for (let i = 0; i < WORKERS; i++) {
      const child = spawn(
        process.execPath,
        [
          `--max-old-space-size=${WORKER_HEAP_MB}`,
          // With --profile, each worker writes its CPU profile of the whole run when it exits.
          ...(profileDir() ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir()!, `worker-${i + 1}`)}`] : []),
          '--import',
          'tsx',
          import.meta.filename,
          '--worker',
          '--concurrency',
          String(CONCURRENCY),
        ],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      child.stdin!.write(`${JSON.stringify({ sandbox, databaseUrl, prefix })}\n`);
      workerProcesses.push(child);
    }
    for (const child of workerProcesses) {
      if ((await firstLine(child)) !== 'ready') throw new Error('a worker process did not start');
    }
    const workerPids = workerProcesses.map((c) => c.pid!);

    async function pass(mode: 'full' | 'incremental', name: string) {
      const profiling = await startProfile();
      const statements = profileDir() ? sampleStatements(dbName) : undefined;
      const cpuBefore = cpuSeconds(server.pid, workerPids);
      const started = performance.now();
      const totals = { pulled: 0, created: 0, updated: 0, unchanged: 0, refused: 0, invalid: 0 };
      const runIds: string[] = [];
      /** Each step's milliseconds summed over the runs (steps of different runs overlap). */
      const stages: Record<string, number> = {};
      for (const code of sandbox.schools) {
        const { runId } = await service.request({
          schoolCode: code,
          streams: ['students'],
          mode,
          requestedBy: 'bench',
        });
        runIds.push(runId);
      }
      for (;;) {
        const rows = await db.kysely
          .selectFrom('runs')
          .select(['state', 'counts', 'report', 'timings'])
          .where('id', 'in', runIds)
          .execute();
        const ended = rows.filter((r) => ['succeeded', 'failed', 'held', 'cancelled'].includes(r.state));
        if (ended.length === runIds.length) {
          const bad = ended.find((r) => r.state !== 'succeeded');
          if (bad)
            throw new Error(
              `a run ended ${bad.state}: ${JSON.stringify((bad as { report?: { failure?: unknown } }).report?.failure)}`,
            );
          for (const r of rows) {
            for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += r.counts[k];
            for (const [k, ms] of Object.entries(r.timings)) stages[k] = (stages[k] ?? 0) + ms;
          }
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const seconds = (performance.now() - started) / 1000;
      await profiling?.stop(name);
      const statementSplit = await statements?.stop();
      if (statementSplit) {
        process.stderr.write(`PostgreSQL statements during ${name} (share of samples of active backends):\n`);
        for (const { statement, share } of statementSplit)
          process.stderr.write(`  ${(share * 100).toFixed(1).padStart(5)} %  ${statement}\n`);
      }
      return {
        ...totals,
        seconds: Number(seconds.toFixed(2)),
        recordsPerSecond: Math.round(totals.pulled / seconds),
        cpuSeconds: cpuSpent(cpuBefore, cpuSeconds(server.pid, workerPids)),
        stageSeconds: Object.fromEntries(
          Object.entries(stages).map(([k, ms]) => [k.replace(/Ms$/, ''), Number((ms / 1000).toFixed(1))]),
        ),
      };
    }

    /**
     * The background work a first load leaves PostgreSQL (autovacuum of some 700,000 new rows),
     * done now rather than inside the next measured pass: a nightly scan comes long after the
     * load, when autovacuum is done. Timed and reported beside the passes.
     */
    async function settle(): Promise<number> {
      const started = performance.now();
      await sql`vacuum (analyze)`.execute(db.kysely);
      return Number(((performance.now() - started) / 1000).toFixed(2));
    }

    const full = await pass('full', 'full');
    process.stderr.write(`full: ${JSON.stringify(full)}\n`);
    const floor = await floorPass(sandbox, server.pid!);
    process.stderr.write(`floor: ${JSON.stringify(floor)}\n`);
    if (args.includes('--floor-only')) {
      process.stdout.write(
        `| ${sandbox.students.toLocaleString('en-US')} students, same district, same run | records/s |\n|---|---|\n` +
          `| hub, first full sync (all steps) | ${full.recordsPerSecond.toLocaleString('en-US')} |\n` +
          `| floor: plain fetch, rename, post | ${floor.recordsPerSecond.toLocaleString('en-US')} (${floor.accepted.toLocaleString('en-US')} accepted) |\n` +
          `| ratio hub/floor | **${(full.recordsPerSecond / floor.recordsPerSecond).toFixed(2)}** |\n`,
      );
      // Waited for: a worker writes its CPU profile (--profile) only as it exits.
      await Promise.all(
        workerProcesses.map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          return exited;
        }),
      );
      await workers?.close();
      await hub.close();
      return;
    }
    const settleSeconds = await settle();
    const noChange = await pass('full', 'no-change');
    process.stderr.write(`no change: ${JSON.stringify(noChange)}\n`);
    // Checkpoints for the incremental reads, then 1 % of the students changed at the source.
    await pass('incremental', 'checkpoints');
    const changed = Math.round(sandbox.students / 100);
    const mutated = await fetch(`${sandbox.restUrl}/_admin/mutate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ students: { update: changed } }),
    });
    if (!mutated.ok) throw new Error(`mutate answered ${mutated.status}`);
    const incremental = await pass('incremental', 'incremental');
    process.stderr.write(`incremental: ${JSON.stringify(incremental)}\n`);
    // Peak RSS of the sync's work, before the raw measurements below add theirs (maxRSS only grows).
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    const workerRss: number[] = [];
    for (const child of workerProcesses) {
      const said = new Promise<string>((resolve) => {
        createInterface({ input: child.stdout! }).on('line', resolve);
      });
      child.kill('SIGTERM');
      const report = JSON.parse(await said) as { peakRssMB: number; atPeakMB: unknown };
      process.stderr.write(`worker memory at its peak: ${JSON.stringify(report.atPeakMB)}\n`);
      workerRss.push(report.peakRssMB);
    }

    // Raw limits of two layers, alone, on records of this district.
    const rawRecords: unknown[] = [];
    const { readContext, silentLogger } = await import('../src/sdk/conformance/index.ts');
    const { parseAdapterConfig, isSignal } = await import('../src/sdk/index.ts');
    const cfg = parseAdapterConfig(
      rest.configSchema,
      {
        baseUrl: sandbox.restUrl,
        profile: profiles.get(sandbox.schools[0]!),
        auth: { type: 'apiKey', key: VENDOR_KEY },
      },
      'rest',
    );
    for await (const item of rest.read(
      'students',
      readContext(
        { logger: silentLogger, signal: new AbortController().signal, now: () => asOf },
        cfg,
        undefined,
      ),
    )) {
      if (!isSignal(item)) rawRecords.push(item);
    }
    let t = performance.now();
    const rounds = 20;
    for (let r = 0; r < rounds; r++) {
      for (const rec of rawRecords) {
        const check = checkRecord(rec, { asOf });
        if (check.record) {
          const mapped = target.map(check.record);
          if (mapped) store.recordHash(mapped.body, 'city-edudb/v1');
        }
      }
    }
    const validateHashPerSecond = Math.round((rawRecords.length * rounds) / ((performance.now() - t) / 1000));
    // Identity registration alone (students and the guardians on their records), in batches of a
    // thousand as a run does: first sight (encrypt, seal, upsert), then a scan where nothing changed.
    const { observeIdentities } = await import('../src/identity/registry.ts');
    const valid = rawRecords
      .map((rec) => checkRecord(rec, { asOf }).record)
      .filter((r): r is NonNullable<typeof r> => !!r)
      .map((r) => ({ ...r, schoolCode: `${r.schoolCode}-raw` }));
    const registerAll = async () => {
      const started = performance.now();
      for (let i = 0; i < valid.length; i += 1_000)
        await observeIdentities(db, keyring, valid.slice(i, i + 1_000));
      return Math.round(valid.length / ((performance.now() - started) / 1000));
    };
    const identityFirstPerSecond = await registerAll();
    const identityNoChangePerSecond = await registerAll();
    const entries = await db.kysely
      .selectFrom('ledger')
      .select(['record_key', 'content_hash'])
      .limit(50_000)
      .execute();
    const ledgerEntries = entries.map((e) => ({
      key: e.record_key,
      hash: Buffer.from(e.content_hash).toString('hex'),
    }));
    t = performance.now();
    await store.diffAgainstLedger(db, {
      target: 'city-edudb',
      stream: 'students',
      schoolCode: '',
      entries: ledgerEntries,
    });
    const ledgerNoChangePerSecond = Math.round(ledgerEntries.length / ((performance.now() - t) / 1000));
    // The ledger upsert of records the target answered unchanged (what a push batch writes).
    t = performance.now();
    await store.applyTargetResults(db, {
      target: 'city-edudb',
      stream: 'students',
      schoolCode: sandbox.schools[0]!,
      runId: null,
      results: ledgerEntries.map((e) => ({ key: e.key, hash: e.hash, accepted: true })),
    });
    const ledgerUpsertPerSecond = Math.round(ledgerEntries.length / ((performance.now() - t) / 1000));
    await workers?.close();
    const bullmqRecordsPerSecond = await bullmqNoOp(REDIS_URL, `${prefix}-raw`);
    await hub.close();
    await forgetQueues(prefix);
    const result = {
      machine: machine(),
      students: sandbox.students,
      schools: sandbox.schools.length,
      concurrency: CONCURRENCY,
      full,
      floor,
      noChange,
      incremental: { ...incremental, changedAtSource: changed },
      workers: WORKERS || 'in-process',
      settleSeconds,
      peakRssMB,
      ...(WORKERS > 0 ? { workerPeakRssMB: workerRss } : {}),
      raw: {
        validateHashPerSecond,
        ledgerNoChangePerSecond,
        ledgerUpsertPerSecond,
        bullmqRecordsPerSecond,
        identityFirstPerSecond,
        identityNoChangePerSecond,
      },
      ratios: {
        fullToFloor: Number((full.recordsPerSecond / floor.recordsPerSecond).toFixed(2)),
        fullToValidateHash: Number((full.recordsPerSecond / validateHashPerSecond).toFixed(2)),
        noChangeToValidateHash: Number((noChange.recordsPerSecond / validateHashPerSecond).toFixed(2)),
        fullToBullmq: Number((full.recordsPerSecond / bullmqRecordsPerSecond).toFixed(2)),
        noChangeToLedgerDiff: Number((noChange.recordsPerSecond / ledgerNoChangePerSecond).toFixed(2)),
      },
    };
    const results = join(import.meta.dirname, 'results');
    await mkdir(results, { recursive: true });
    await writeFile(join(results, 'sync.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      [
        `| sync of ${sandbox.students.toLocaleString('en-US')} students (${sandbox.schools.length} schools, one run a school, ${WORKERS > 0 ? `${WORKERS} worker processes with ${CONCURRENCY} pulls at a time each` : `${CONCURRENCY} pulls at a time in one process`}, queued pull and push jobs on Redis, PostgreSQL, REST sandbox → city sandbox through the gateway) | figure |`,
        '|---|---|',
        `| first full sync | **${full.recordsPerSecond.toLocaleString('en-US')} records/s** (${full.seconds} s) |`,
        `| the floor in the same run: plain fetch, rename, post (no checks, no ledger) | ${floor.recordsPerSecond.toLocaleString('en-US')} records/s (${floor.accepted.toLocaleString('en-US')} accepted); hub/floor **${(full.recordsPerSecond / floor.recordsPerSecond).toFixed(2)}** |`,
        `| (vacuum and analyze after the first load: ${settleSeconds} s, not counted) | |`,
        `| second full scan, nothing changed | **${noChange.recordsPerSecond.toLocaleString('en-US')} records/s** (${noChange.seconds} s) |`,
        `| incremental sync after 1 % changed (${changed} students) | **${incremental.seconds} s** |`,
        WORKERS > 0
          ? `| peak RSS of each worker process (${WORKERS}) | ${workerRss.join(' / ')} MB |`
          : `| peak RSS of the hub process | ${peakRssMB} MB |`,
        `| raw: validation + mapping + hash alone | ${validateHashPerSecond.toLocaleString('en-US')} records/s |`,
        `| raw: ledger diff of unchanged records | ${ledgerNoChangePerSecond.toLocaleString('en-US')} records/s |`,
        `| raw: ledger no-op upsert (UNNEST) | ${ledgerUpsertPerSecond.toLocaleString('en-US')} rows/s |`,
        `| raw: BullMQ, 100 records a job, no-op worker | ${bullmqRecordsPerSecond.toLocaleString('en-US')} records/s |`,
        `| raw: identity registration, first sight (students + guardians) | ${identityFirstPerSecond.toLocaleString('en-US')} students/s |`,
        `| raw: identity registration, nothing changed | ${identityNoChangePerSecond.toLocaleString('en-US')} students/s |`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const child of workerProcesses) child.kill('SIGKILL');
    server.kill('SIGTERM');
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end();
  }
}

/**
 * With `--profile DIR`, a CPU profile of the hub process for each pass (DIR/<pass>.cpuprofile,
 * for Chrome's DevTools or any .cpuprofile viewer), and one of each worker process for the whole
 * run (DIR/worker-N/*.cpuprofile, written by Node's --cpu-prof as the worker exits); without it,
 * nothing.
 */
function profileDir(): string | undefined {
  const i = args.indexOf('--profile');
  if (i < 0) return undefined;
  const next = args[i + 1];
  return next && !next.startsWith('--') ? next : 'bench/.profiles';
}

/**
 * With --profile, where PostgreSQL's time goes during a pass, without pg_stat_statements (it needs
 * a server restart to load): every 10 ms, the statements the bench database's backends are running,
 * each counted once a sample; the split is the share of samples (a sampling profiler of statements).
 */
function sampleStatements(dbName: string): { stop(): Promise<Array<{ statement: string; share: number }>> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  const loop = (async () => {
    await client.connect();
    while (running) {
      // What each active backend waits for, if anything (a lock, WAL, I/O), beside its statement:
      // time in a statement is not all CPU.
      const { rows } = await client.query<{ query: string; wait: string | null }>(
        `select query, wait_event_type || ':' || wait_event as wait from pg_stat_activity
         where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
        [dbName],
      );
      for (const { query, wait } of rows) {
        const statement = `${wait ? `[${wait}] ` : ''}${query.replace(/\s+/g, ' ').trim().slice(0, 110)}`;
        counts.set(statement, (counts.get(statement) ?? 0) + 1);
        samples++;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20)
        .map(([statement, n]) => ({ statement, share: n / Math.max(1, samples) }));
    },
  };
}

async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = profileDir();
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Removes what the runs left in Redis under the benchmark's prefix (the PostgreSQL database is dropped). */
async function forgetQueues(prefix: string): Promise<void> {
  const { queueConnection } = await import('../src/pipeline/queue.ts');
  const redis = queueConnection(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/**
 * BullMQ's own ceiling here: 1,000 jobs, each standing for 100 records (the job carries ids only,
 * as the hub's do), through a worker that does nothing.
 */
async function bullmqNoOp(url: string, prefix: string): Promise<number> {
  const { Queue, Worker } = await import('bullmq');
  const { queueConnection } = await import('../src/pipeline/queue.ts');
  const JOBS = 1_000;
  const connection = queueConnection(url);
  const workerConnection = queueConnection(url);
  const queue = new Queue('noop', { connection, prefix });
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const worker = new Worker(
    'noop',
    async () => {
      if (++done === JOBS) allDone();
    },
    { connection: workerConnection, prefix, concurrency: 8 },
  );
  const started = performance.now();
  await queue.addBulk(
    Array.from({ length: JOBS }, (_, i) => ({ name: 'push', data: { runId: 'bench', batchId: String(i) } })),
  );
  await finished;
  const perSecond = Math.round((JOBS * 100) / ((performance.now() - started) / 1000));
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return perSecond;
}

if (args.includes('--serve')) await serve();
else if (args.includes('--worker')) await worker();
else {
  await main();
  // Keep-alive sockets of the gateway client would hold the process open: the work is done.
  process.exit(0);
}
