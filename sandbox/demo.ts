/**
 * `npm run demo`: the whole hub on one machine. It starts the simulators with a generated district
 * (a REST school system for the schools, the LGSP gateway, the city Education DB and SSC), starts the hub
 * (API and a worker in one process; PGlite unless DATABASE_URL is set; the local Redis), asks for a
 * full sync of every school through the API (people, classes, fees and grade books), shows
 * progress, lets parents pay part of the fee notices at SSC and pulls the payments back, prints a
 * summary per school (with its reconciliation), checks that the city and SSC hold exactly what
 * they should, and that the score and level reports have rows for every school. It keeps serving until Ctrl-C; `--once` exits after
 * the summary, 0 only when every school synced and the check passed.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { EXIT, integerOption, printLine, UsageError } from '../src/cli/io.ts';
import type { CliContext } from '../src/cli/program.ts';
import { createProgressBar } from '../src/cli/progress.ts';
import type { AdapterCatalogue } from '../src/pipeline/sources/index.ts';
import type { OwnRedis } from './own-redis.ts';

interface DemoOptions {
  schools: string;
  seed: string;
  once?: boolean;
  port: string;
  classSize: string;
}

const STREAMS = ['classes', 'teachers', 'students', 'fees', 'assessments'] as const;
const VENDOR_KEY = 'demo-vendor-key';
/** District staff at the simulated VNeID (a made-up person): signs in to the console with VNeID. */
const DISTRICT_OFFICER = {
  personalId: '079085000123',
  fullName: 'Trần Quốc Bảo',
  birthDate: '1985-03-14',
  gender: 'male' as const,
};

async function redisAnswers(url: string): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function registerDemoCommand(program: Command, ctx: CliContext, adapters: AdapterCatalogue): void {
  program
    .command('demo')
    .description(
      'Chạy thử toàn bộ: giả lập trường và thành phố, đồng bộ mọi trường, in tổng kết / The whole hub on one machine: simulators, a full sync of every school, a summary',
    )
    .option('--schools <n>', 'số trường / number of schools', '3')
    .option('--seed <n>', 'hạt giống / seed', '2026')
    .option('--class-size <n>', 'sĩ số / class size', '30')
    .option('--port <n>', 'cổng của API / API port', '8080')
    .option('--once', 'thoát sau bản tổng kết / exit after the summary')
    .action(async (opts: DemoOptions) => {
      const schools = integerOption(opts.schools, '--schools', 1, 200);
      const seed = integerOption(opts.seed, '--seed', 0, 2 ** 31 - 1);
      const classSize = integerOption(opts.classSize, '--class-size', 5, 60);
      const port = integerOption(opts.port, '--port', 0, 65_535);
      const { environment, loadConfig } = await import('../src/config/index.ts');
      const loaded = loadConfig();
      // With REDIS_URL unset the demo tries the default address (or EDUBRIDGE_DEMO_REDIS_PROBE), and
      // when nothing answers there starts a Redis of its own: the demo needs nothing running.
      const redisGiven = (environment().REDIS_URL ?? '').trim() !== '';
      const probed = redisGiven ? loaded.REDIS_URL : (loaded.EDUBRIDGE_DEMO_REDIS_PROBE ?? loaded.REDIS_URL);
      let ownRedis: OwnRedis | undefined;
      if (!(await redisAnswers(probed))) {
        const unreachable = () =>
          new UsageError(
            'REDIS_UNREACHABLE',
            `Không kết nối được Redis ở ${probed}: hãy chạy "redis-server --daemonize yes" hoặc đặt REDIS_URL`,
            `Cannot reach Redis at ${probed}: start one ("redis-server --daemonize yes") or set REDIS_URL`,
          );
        if (redisGiven) throw unreachable();
        const { startOwnRedis } = await import('./own-redis.ts');
        ownRedis = await startOwnRedis();
        if (!ownRedis) throw unreachable();
        printLine(
          `Không có Redis ở ${probed}: bản demo tự chạy redis-server (pid ${ownRedis.pid}, ${ownRedis.url}, không lưu gì xuống đĩa, dừng cùng bản demo) / No Redis at ${probed}: the demo started its own redis-server (pid ${ownRedis.pid}, ${ownRedis.url}, nothing kept on disk, stopped with the demo)`,
        );
      }
      const config = { ...loaded, REDIS_URL: ownRedis?.url ?? probed };
      // A signal before the demo serves (while it syncs, say) leaves at once, its Redis with it.
      const leave = (signal: NodeJS.Signals) => {
        ownRedis?.killNow();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', leave);
      process.once('SIGTERM', leave);
      try {
        await runDemo(opts, ctx, adapters, config, { schools, seed, classSize, port }, () => {
          process.off('SIGINT', leave);
          process.off('SIGTERM', leave);
        });
      } finally {
        process.off('SIGINT', leave);
        process.off('SIGTERM', leave);
        if (ownRedis) {
          await ownRedis.stop();
          printLine(
            `Đã dừng redis-server của bản demo (pid ${ownRedis.pid}) / Stopped the demo's redis-server (pid ${ownRedis.pid})`,
          );
        }
      }
    });
}

async function runDemo(
  opts: DemoOptions,
  ctx: CliContext,
  adapters: AdapterCatalogue,
  config: import('../src/config/index.ts').Config,
  { schools, seed, classSize, port }: { schools: number; seed: number; classSize: number; port: number },
  serving: () => void,
): Promise<void> {
  const { startCitySandbox } = await import('./city-edudb/index.ts');
  const { startRestSchool } = await import('./vendors/rest-school/index.ts');
  const { sandboxSchoolProfile } = await import('./vendors/rest-school/profile.ts');
  const { createHub } = await import('../src/app/hub.ts');
  const { createGatewayClient } = await import('../src/gateway/index.ts');
  const store = await import('../src/store/index.ts');
  const { createCityEduDbTarget } = await import('../src/targets/city-edudb.ts');
  const { createSscTarget } = await import('../src/targets/ssc.ts');
  const { sandboxCollectionAccount } = await import('./ssc/index.ts');
  const { createC06Client } = await import('../src/identity/c06/client.ts');
  const { IdentityService } = await import('../src/identity/service.ts');
  const { ssoRelayFor } = await import('../src/app/sso.ts');
  const { publicUrlOf } = await import('../src/config/index.ts');
  const { startVneidSandbox } = await import('./vneid/index.ts');

  const district = { schools, seed, classesPerGrade: 2, classSize };
  printLine(`EduBridge demo: ${schools} trường / schools, hạt giống / seed ${seed}`);
  printLine(
    '  1/5 khởi động giả lập / starting the simulators (school system, LGSP gateway, city Education DB, SSC, C06)',
  );
  const city = await startCitySandbox({
    personality: 'wso2',
    district: { ...district, unknownEvery: 25, differEvery: 20, cityOnly: 1 },
    ssc: true,
    c06: { seed },
  });
  const ssc = city.ssc!;
  // With its grade books, so the score and level reports have every school's marks.
  const school = await startRestSchool({
    ...district,
    grades: true,
    auth: { type: 'apiKey', key: VENDOR_KEY },
  });
  const schoolCodes = [
    ...new Set(
      school.state.data.students
        .idList()
        .map((id) => (school.state.data.students.get(id) as { maTruong: string }).maTruong),
    ),
  ].sort();

  printLine('  2/5 khởi động hub / starting the hub (API + worker)');
  const prefix = `${config.REDIS_PREFIX}-demo-${randomUUID().slice(0, 8)}`;
  const sources = Object.fromEntries(
    schoolCodes.map((code) => [
      code,
      {
        adapter: 'rest',
        config: {
          baseUrl: school.url,
          profile: sandboxSchoolProfile(code),
          auth: { type: 'apiKey', key: VENDOR_KEY },
        },
      },
    ]),
  );
  // The simulators' gateway options are typed in sandbox/, which src/ cannot know of.
  const target = createCityEduDbTarget({
    gateway: createGatewayClient(city.gatewayClientOptions() as never),
  });
  const sscTarget = createSscTarget({
    gateway: createGatewayClient(city.gatewayClientOptions('ssc') as never),
    collectionAccounts: Object.fromEntries(schoolCodes.map((c) => [c, sandboxCollectionAccount(c)])),
  });
  // The SSO issuer must name the address the hub listens on: the port is chosen first.
  const { reservePort } = await import('./ports.ts');
  const hubPort = await reservePort(config.HOST, port);
  const publicUrl = `http://${config.HOST}:${hubPort.port}`;
  const hubAtVneid = { clientId: 'edubridge-hub', clientSecret: randomUUID() };
  const vneid = await startVneidSandbox({
    personality: 'dvcqg',
    citizens: [
      DISTRICT_OFFICER,
      ...city.c06!.population.citizens.map((c) => ({
        personalId: c.personalId,
        fullName: c.fullName,
        birthDate: c.birthDate,
        gender: c.gender ?? ('male' as const),
      })),
    ],
    clients: [{ ...hubAtVneid, redirectUris: [`${publicUrl}/sso/callback`] }],
  });
  // One hub, one database: the API and the workers below share every part of it.
  const hubConfig = {
    ...config,
    LOG_LEVEL: 'warn' as const,
    REDIS_PREFIX: prefix,
    // The console offers VNeID sign-in at the address the relay serves, and the district officer
    // of the simulated VNeID is district staff for every school of the demo.
    PUBLIC_URL: config.PUBLIC_URL ?? publicUrl,
    SSO_DISTRICT_ADMINS: config.SSO_DISTRICT_ADMINS ?? { [DISTRICT_OFFICER.personalId]: schoolCodes },
  };
  const hub = await createHub(hubConfig, {
    adapters,
    sources: async () => sources,
    targets: () => [target, sscTarget],
    identityService: ({ database, keyring }) =>
      new IdentityService({
        db: database,
        keyring,
        c06: createC06Client({
          gateway: createGatewayClient(city.c06!.gatewayClientOptions() as never),
          service: 'c06',
          requester: { officialId: '079085000123', unitCode: 'H29.SGDDT', account: 'edubridge-demo' },
        }),
      }),
    // The relay whose issuer the demo prints is the one the hub serves.
    ssoRelay: ({ database, keyring }) =>
      ssoRelayFor(hubConfig, database, keyring, {
        upstream: { personality: 'dvcqg', issuer: vneid.issuer, ...hubAtVneid },
        publicUrl,
        cookieKeys: [randomUUID()],
      }),
  });
  const db = hub.database;
  const shutdown = async () => {
    await hub.close();
    await vneid.close();
    await school.close();
    await city.close();
  };
  let app: Awaited<ReturnType<typeof hub.app>>;
  let address: string;
  let workers: Awaited<ReturnType<typeof hub.startWorkers>>;
  let schoolApp: { clientId: string; clientSecret?: string | undefined; issuer: string };
  let key: string;
  try {
    await store.migrateToLatest(db);
    // The sandbox gateway has no quota worth the name: let the demo go as fast as the machine.
    workers = await hub.startWorkers({
      limits: {
        'city-edudb': { requestsPerSecond: 200, concurrentBatches: 4 },
        ssc: { requestsPerSecond: 200, concurrentBatches: 2 },
      },
      identity: { requestsPerSecond: 200, sweepEveryMs: 2_000 },
      schedules: false,
    });
    app = await hub.app();
    await hubPort.release();
    address = await app.listen({ host: config.HOST, port: hubPort.port });
    // A school app as a vendor would register it: plain OpenID Connect against the hub.
    schoolApp = await (await hub.sso())!.addClient({
      name: 'Ứng dụng trường (demo) / School app (demo)',
      redirectUris: ['http://127.0.0.1:3000/callback'],
    });
    // The key the console's sign-in form and the CLI take: the district's role, its schools.
    ({ key } = await store.createApiKey(db, { role: 'district', schools: schoolCodes }));
  } catch (error) {
    await shutdown();
    throw error;
  }
  const identityWorker = workers.identity!;
  const consoleUrl = `${publicUrlOf(config) ?? publicUrl}/console/`;

  try {
    printLine(`  3/5 đồng bộ toàn bộ mọi trường qua API / full sync of every school through the API`);
    const runIds: string[] = [];
    for (const code of schoolCodes) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: { authorization: `Bearer ${key}` },
        payload: { schoolCode: code, streams: STREAMS, mode: 'full' },
      });
      if (res.statusCode !== 202) throw new Error(`POST /v1/runs answered ${res.statusCode}: ${res.body}`);
      runIds.push((res.json() as { id: string }).id);
    }
    const bar = createProgressBar('Đang đồng bộ / Syncing');
    const done = new Set(['succeeded', 'failed', 'held', 'cancelled']);
    let runs: Awaited<ReturnType<typeof store.getRun>>[] = [];
    for (;;) {
      runs = await Promise.all(runIds.map((id) => store.getRun(db, id)));
      const finished = runs.filter((r) => r && done.has(r.state)).length;
      const pulled = runs.reduce((n, r) => n + (r?.counts.pulled ?? 0), 0);
      bar.update(
        finished,
        runIds.length,
        `${finished}/${runIds.length} trường/schools, ${pulled.toLocaleString('en-US')} bản ghi/records`,
      );
      if (finished === runIds.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    bar.done();

    // Everyone the runs saw for the first time is due for a C06 check: the worker's sweep
    // queues them (one lookup a job, at the C06 quota), and the bar follows what is left.
    printLine('  4/5 tra cứu danh tính qua C06 / identity checks against C06');
    const due = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('persons')
            .select(db.kysely.fn.countAll<number>().as('n'))
            .where('personal_id_index', 'is not', null)
            .where('status', 'in', ['unchecked', 'pending'])
            .executeTakeFirstOrThrow()
        ).n,
      );
    const toCheck = await due();
    await identityWorker.sweep();
    const idBar = createProgressBar('Đang tra cứu / Checking');
    for (;;) {
      const left = await due();
      idBar.update(toCheck - left, toCheck, `${toCheck - left}/${toCheck} người / people`);
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    idBar.done();
    const coverage = new Map(
      await Promise.all(
        schoolCodes.map(async (code) => [code, await store.identityCoverage(db, code)] as const),
      ),
    );

    // Parents pay part of the notices at SSC; the hub reads the payments back and reconciles.
    ssc.payNotices({ share: 0.6, seed });
    const auth = { authorization: `Bearer ${key}` };
    const perSchool = new Map<
      string,
      { payments: number; withdrawn: number; noNotice: number; roster: number }
    >();
    for (const code of schoolCodes) {
      const pulled = await app.inject({
        method: 'POST',
        url: `/v1/schools/${code}/payments/pull`,
        headers: auth,
      });
      const recon = await app.inject({
        method: 'GET',
        url: `/v1/schools/${code}/reconciliation`,
        headers: auth,
      });
      if (pulled.statusCode !== 200 || recon.statusCode !== 200)
        throw new Error(
          `payments or reconciliation of ${code} answered ${pulled.statusCode}/${recon.statusCode}`,
        );
      const report = recon.json() as {
        counts: { withdrawnStillBilled: number; enrolledWithoutNotice: number };
        cityRoster: { onlyInSchool: unknown[]; onlyInCity: unknown[]; differing: unknown[] } | null;
      };
      perSchool.set(code, {
        payments: (pulled.json() as { new: number }).new,
        withdrawn: report.counts.withdrawnStillBilled,
        noNotice: report.counts.enrolledWithoutNotice,
        roster:
          (report.cityRoster?.onlyInSchool.length ?? 0) +
          (report.cityRoster?.onlyInCity.length ?? 0) +
          (report.cityRoster?.differing.length ?? 0),
      });
    }

    printLine('  5/5 tổng kết / summary');
    printLine('');
    printLine(
      `${'Trường / School'.padEnd(18)}${'Trạng thái / State'.padEnd(20)}${'Đọc'.padStart(8)}${'Lỗi'.padStart(8)}${'Gửi'.padStart(8)}${'Từ chối'.padStart(9)}${'Đã nộp'.padStart(8)}${'Đối soát'.padStart(10)}${'Lệch DM'.padStart(9)}${'Xác thực'.padStart(12)}  Lý do từ chối / Refusal reasons`,
    );
    let allGood = true;
    for (const run of runs) {
      if (!run) continue;
      const letters = await db.kysely
        .selectFrom('dead_letters')
        .select(['code', db.kysely.fn.countAll<number>().as('n')])
        .where('run_id', '=', run.id)
        .groupBy('code')
        .execute();
      const reasons = letters.map((l) => `${l.code} ${l.n}`).join(', ') || '—';
      const c = run.counts;
      if (run.state !== 'succeeded') allGood = false;
      const money = perSchool.get(run.school_code);
      const cov = coverage.get(run.school_code);
      const people = cov ? Object.values(cov) : [];
      const withId = people.reduce((n, c) => n + c.total - c.noPersonalId, 0);
      const verified = people.reduce((n, c) => n + c.verified, 0);
      printLine(
        `${run.school_code.padEnd(18)}${run.state.padEnd(20)}${String(c.pulled).padStart(8)}${String(c.invalid).padStart(8)}${String(c.created + c.updated).padStart(8)}${String(c.refused).padStart(9)}${String(money?.payments ?? 0).padStart(8)}${String((money?.withdrawn ?? 0) + (money?.noNotice ?? 0)).padStart(10)}${String(money?.roster ?? 0).padStart(9)}${`${verified}/${withId}`.padStart(12)}  ${reasons}`,
      );
    }
    printLine(
      '  (Đã nộp: giao dịch SSC mới / new SSC payments; Đối soát: HS thôi học còn bị thu + HS đang học chưa có phiếu / withdrawn students still billed + enrolled students with no notice; Lệch DM: khác danh mục CSDL ngành / differences from the city roster; Xác thực: người khớp C06 / người có số định danh / people C06 confirms / people with an ID number)',
    );
    const totals = { mismatch: 0, not_found: 0, error: 0 };
    for (const cov of coverage.values())
      for (const c of Object.values(cov)) {
        totals.mismatch += c.mismatch;
        totals.not_found += c.not_found;
        totals.error += c.error;
      }
    if (totals.error > 0) allGood = false;
    printLine(
      `C06: ${totals.mismatch} sai lệch (tên, ngày sinh…), ${totals.not_found} không tìm thấy, ${totals.error} lỗi / ${totals.mismatch} mismatched (name, birth date…), ${totals.not_found} not found, ${totals.error} errors: xem / see GET /v1/schools/<code>/identity-coverage`,
    );

    // The city must hold exactly what the ledger says it accepted, and have on its review
    // list exactly the people it does not know.
    const sscLedger = await db.kysely
      .selectFrom('ledger')
      .select(['record_key', 'content_hash'])
      .where('target', '=', 'ssc')
      .where('deleted_at', 'is', null)
      .execute();
    const sscHeld = ssc.contentOf();
    const sscDiffer =
      sscLedger.filter((row) => {
        const body = sscHeld.get(row.record_key);
        return (
          !body ||
          store.recordHash(
            { kind: body.kind, record: body.record },
            `${sscTarget.id}/${sscTarget.mappingVersion}`,
          ) !== Buffer.from(row.content_hash).toString('hex')
        );
      }).length + Math.max(sscHeld.size - sscLedger.length, 0);
    const ledger = await db.kysely
      .selectFrom('ledger')
      .select(['record_key', 'content_hash', 'school_code'])
      .where('target', '=', 'city-edudb')
      .where('deleted_at', 'is', null)
      .execute();
    const held = city.city.contentOf();
    let mismatched = 0;
    for (const row of ledger) {
      const body = held.get(row.record_key);
      const hash = body
        ? store.recordHash({ kind: body.kind, record: body.record }, `${target.id}/${target.mappingVersion}`)
        : '';
      if (hash !== Buffer.from(row.content_hash).toString('hex')) mismatched++;
    }
    const inLedger = new Set(ledger.map((r) => r.record_key));
    const extra = [...held.keys()].filter((k) => !inLedger.has(k)).length;
    // People the city does not know are refused UNKNOWN_MASTER and wait on its review list; the
    // city refuses their marks and learning results too (UNKNOWN_MASTER, not held for review:
    // operational data about a student it does not know), and nothing else of the grade books.
    const unknownToCity = await db.kysely
      .selectFrom('dead_letters')
      .select(['stream', db.kysely.fn.countAll<number>().as('n')])
      .where('target', '=', 'city-edudb')
      .where('code', '=', 'UNKNOWN_MASTER')
      .groupBy('stream')
      .execute();
    const refusedUnknown = unknownToCity
      .filter((l) => l.stream !== 'assessments')
      .reduce((n, l) => n + Number(l.n), 0);
    const gradesRefused = Number(unknownToCity.find((l) => l.stream === 'assessments')?.n ?? 0);
    const review = city.city.state.review.size;
    const studentsInReview = new Set(
      [...city.city.state.review.values()]
        .filter((r) => r.kind === 'HocSinh')
        .map((r) => `${r.schoolCode}/${r.masterCode}`),
    );
    const vendor = school.state.data;
    let gradesOfReview = 0;
    for (const table of [vendor.marks, vendor.comments, vendor.learningResults] as const) {
      for (const id of table.idList()) {
        const row = table.get(id) as { maTruong: string; maHocSinh: string };
        if (studentsInReview.has(`${row.maTruong}/${row.maHocSinh}`)) gradesOfReview++;
      }
    }
    const exact =
      mismatched === 0 &&
      extra === 0 &&
      review === refusedUnknown &&
      gradesRefused === gradesOfReview &&
      sscDiffer === 0;
    if (!exact) allGood = false;
    printLine('');
    printLine(
      `Đối chiếu / Reconciliation: CSDL ngành giữ ${held.size} bản ghi, sổ cái ${ledger.length}, lệch ${mismatched + extra}; ${review} người chờ duyệt (chưa có trong CSDL ngành) / the city holds ${held.size} records, the ledger ${ledger.length}, ${mismatched + extra} differ; ${review} people on the review list (unknown to the city)`,
    );
    printLine(
      `Điểm và kết quả học tập của học sinh chờ duyệt bị từ chối: ${gradesRefused} (cần ${gradesOfReview}) / Marks and learning results of students on the review list refused: ${gradesRefused} (expected ${gradesOfReview})`,
    );
    printLine(
      `SSC giữ ${sscHeld.size} khoản thu và phiếu báo thu, sổ cái ${sscLedger.length}, lệch ${sscDiffer} / SSC holds ${sscHeld.size} fee items and notices, the ledger ${sscLedger.length}, ${sscDiffer} differ`,
    );
    // The education reports over what the runs read: every school has score and level rows.
    const reportRows = async (name: 'scores' | 'levels') => {
      const res = await app.inject({ method: 'GET', url: `/v1/reports/${name}`, headers: auth });
      if (res.statusCode !== 200) throw new Error(`GET /v1/reports/${name} answered ${res.statusCode}`);
      const counts = new Map<string, number>();
      for (const row of (res.json() as { rows: Array<{ schoolCode: string }> }).rows)
        counts.set(row.schoolCode, (counts.get(row.schoolCode) ?? 0) + 1);
      return counts;
    };
    const [scoreRows, levelRows] = [await reportRows('scores'), await reportRows('levels')];
    const reported = schoolCodes.every((c) => (scoreRows.get(c) ?? 0) > 0 && (levelRows.get(c) ?? 0) > 0);
    if (!reported) allGood = false;
    printLine(
      `Báo cáo / Reports: ${schoolCodes.map((c) => `${c} điểm/scores ${scoreRows.get(c) ?? 0}, xếp loại/levels ${levelRows.get(c) ?? 0}`).join('; ')} ${reported ? '✓' : '✗ (trường không có dòng / a school without rows)'}`,
    );
    printLine(
      exact
        ? '✓ CSDL ngành và SSC giữ đúng những gì cần giữ / The city DB and SSC hold exactly what they should'
        : '✗ CSDL ngành hoặc SSC lệch với sổ cái / The city DB or SSC differs from the ledger',
    );
    printLine('');
    printLine(`API: ${address}/docs`);
    printLine(`CSDL ngành giả lập / simulated city DB: ${city.city.url}/_sandbox/state`);
    printLine(`SSC giả lập / simulated SSC: ${ssc.url}/_sandbox/state`);
    printLine(
      `SSO (OpenID Connect) cho ứng dụng trường / for school apps: ${JSON.stringify({ clientId: schoolApp.clientId, clientSecret: schoolApp.clientSecret, issuer: schoolApp.issuer })}`,
    );
    // The demo says only what it serves: its issuer's discovery document is asked for here.
    const discoveryUrl = `${schoolApp.issuer}/.well-known/openid-configuration`;
    const discovered = await fetch(discoveryUrl)
      .then(async (r) => (r.ok ? ((await r.json()) as { issuer?: string }).issuer : undefined))
      .catch(() => undefined);
    const ssoServed = discovered === schoolApp.issuer;
    printLine(
      `  discovery: ${discoveryUrl} ${ssoServed ? '(✓ đang phục vụ / served)' : '(✗ không phục vụ / not served)'}   VNeID giả lập / simulated VNeID: ${vneid.url}`,
    );
    printLine('');
    printLine(`Bảng điều khiển / Console: ${consoleUrl}`);
    printLine(
      `  đăng nhập bằng khóa API vai trò district (hiện một lần) / sign in with this district API key (shown once): ${key}`,
    );
    printLine(
      `  hoặc "Đăng nhập bằng VNeID", chọn ${DISTRICT_OFFICER.fullName} trên VNeID giả lập / or "Sign in with VNeID" as ${DISTRICT_OFFICER.fullName} at the simulated VNeID`,
    );
    printLine('Dùng CLI với hub này, dán hai dòng / To use the CLI with this hub, paste both lines:');
    printLine(`EDUBRIDGE_URL=${address}`);
    printLine(`EDUBRIDGE_API_KEY=${key}`);
    ctx.exitCode = allGood && ssoServed ? EXIT.ok : EXIT.invalid;
    if (opts.once) return;
    printLine('Đang phục vụ, Ctrl-C để dừng / Serving; Ctrl-C to stop');
    // From here a signal stops the demo in order (the hub, the simulators, then its Redis).
    serving();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    await shutdown();
  }
}
