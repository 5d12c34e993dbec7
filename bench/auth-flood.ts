/**
 * Honest requests under a flood of wrong API keys: the hub (`edubridge serve`, real PostgreSQL and
 * Redis) answers an honest client (20 requests a second of `GET /v1/runs` with a good key, each
 * audited) for a baseline phase, then while another process sends 1,000 requests a second with
 * well-formed wrong keys from another loopback address (127.0.0.2). Reports the honest requests' p50 and p99 in
 * each phase, the flood's achieved rate and answers, and the audit rows it left.
 *
 *   node --import tsx bench/auth-flood.ts [--seconds 30] [--rate 1000] [--limits on|off]
 *
 * `--limits off` sets RATE_LIMIT_AUTH_FAILURES=0: every wrong key is then answered 401 and audited.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { machine } from './machine.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = join(import.meta.dirname, '..');
const FLOOD_ADDRESS = '127.0.0.2';

/** The flooding process: `rate` requests a second with wrong keys until killed; prints its tally. */
async function flood(url: string, rate: number): Promise<void> {
  const tally: Record<string, number> = {};
  let sent = 0;
  const started = Date.now();
  // From another loopback address than the honest client's (as an attacker is another machine),
  // over kept-alive connections.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const shoot = (n: number) =>
    new Promise<void>((resolve) => {
      const key = `eb_${(n % 4096).toString(16).padStart(8, '0')}_${'x'.repeat(32)}`;
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: '/v1/runs',
          headers: { 'x-api-key': key },
          agent,
          localAddress: FLOOD_ADDRESS,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            tally[res.statusCode ?? 0] = (tally[res.statusCode ?? 0] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        tally.error = (tally.error ?? 0) + 1;
        resolve();
      });
      req.end();
    });
  const report = () => {
    process.stdout.write(`${JSON.stringify({ sent, seconds: (Date.now() - started) / 1000, tally })}\n`);
  };
  process.on('SIGTERM', () => {
    report();
    process.exit(0);
  });
  // Paced in 10 ms ticks, without waiting for answers; a late tick catches up by at most two ticks'
  // worth (no burst of hundreds when the process was busy starting).
  const perTick = rate / 100;
  let owed = 0;
  setInterval(() => {
    owed = Math.min(owed + perTick, 3 * perTick);
    const now = Math.floor(owed);
    owed -= now;
    for (let i = 0; i < now; i++) void shoot(sent++);
  }, 10);
  process.stdout.write('flooding\n');
}

async function main(): Promise<void> {
  const seconds = Number(option('--seconds', '30'));
  const rate = Number(option('--rate', '1000'));
  const limits = option('--limits', 'on');
  const dbName = `edubridge_bench_flood_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const dir = await mkdtemp(join(tmpdir(), 'edubridge-flood-'));
  const sourcesFile = join(dir, 'sources.json');
  await writeFile(
    sourcesFile,
    JSON.stringify({
      '79NB0001': { adapter: 'rest', config: { baseUrl: 'http://127.0.0.1:9', profile: 'sandbox-school' } },
    }),
  );
  const port = 24_000 + Math.floor(Math.random() * 4_000);
  const url = `http://127.0.0.1:${port}`;
  const hub = spawn(process.execPath, [join(ROOT, 'bin', 'edubridge.js'), 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'error',
      DATABASE_URL: dbUrl.toString(),
      REDIS_PREFIX: `edubridge-bench-${Date.now()}`,
      SOURCES_FILE: sourcesFile,
      CITY_EDUDB_GATEWAY_URL: 'http://127.0.0.1:9',
      CITY_EDUDB_CONSUMER_KEY: 'ck',
      CITY_EDUDB_CONSUMER_SECRET: 'cs',
      RATE_LIMIT_AUTH_FAILURES: limits === 'off' ? '0' : '20',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let flooder: ReturnType<typeof spawn> | undefined;
  const db = new pg.Client({ connectionString: dbUrl.toString() });
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      if (i > 120) throw new Error('the hub did not become ready');
      await new Promise((r) => setTimeout(r, 500));
    }
    await db.connect();
    const { createApiKey, createDatabase } = await import('../src/store/index.ts');
    const store = await createDatabase({ DATABASE_URL: dbUrl.toString() });
    const { key } = await createApiKey(store, { role: 'district', schools: ['79NB0001'] });
    await store.close();

    /** 20 honest requests a second for `s` seconds; their latencies in ms. */
    const honest = async (s: number): Promise<number[]> => {
      const latencies: number[] = [];
      const until = Date.now() + s * 1000;
      const pending: Promise<void>[] = [];
      while (Date.now() < until) {
        pending.push(
          (async () => {
            const t = performance.now();
            const res = await fetch(`${url}/v1/runs`, { headers: { 'x-api-key': key } });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`honest request answered ${res.status}`);
            latencies.push(performance.now() - t);
          })(),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(pending);
      return latencies;
    };
    await honest(3); // warm-up
    const baseline = await honest(seconds);
    const auditBefore = Number((await db.query('select count(*) from audit_log')).rows[0].count);
    flooder = spawn(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, '--flood', url, String(rate)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let floodOut = '';
    flooder.stdout!.on('data', (d) => {
      floodOut += d;
    });
    // The flood runs a few seconds before the honest client measures again.
    for (let i = 0; !floodOut.includes('flooding'); i++) {
      if (i > 200) throw new Error('the flood did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 3_000));
    const during = await honest(seconds);
    flooder.kill('SIGTERM');
    await once(flooder, 'exit');
    const floodResult = JSON.parse(floodOut.trim().split('\n').at(-1) ?? '{}') as {
      sent: number;
      seconds: number;
      tally: Record<string, number>;
    };
    const auditAfter = Number((await db.query('select count(*) from audit_log')).rows[0].count);
    const q = (values: number[], p: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    };
    const result = {
      bench: 'auth-flood',
      limits,
      seconds,
      rate,
      honest: {
        baseline: { n: baseline.length, p50: q(baseline, 50), p99: q(baseline, 99) },
        flood: { n: during.length, p50: q(during, 50), p99: q(during, 99) },
      },
      p99Ratio: q(during, 99) / q(baseline, 99),
      flood: {
        perSecond: floodResult.sent / floodResult.seconds,
        answers: floodResult.tally,
      },
      auditRowsDuringFlood: auditAfter - auditBefore,
      machine: machine(),
    };
    process.stderr.write(`${JSON.stringify(result)}\n`);
    const f = (n: number) => n.toFixed(1);
    process.stdout.write(
      `| auth flood (limits ${limits}) | honest p50 ${f(result.honest.baseline.p50)} → ${f(result.honest.flood.p50)} ms, p99 ${f(result.honest.baseline.p99)} → ${f(result.honest.flood.p99)} ms (×${result.p99Ratio.toFixed(2)}) | flood ${Math.round(result.flood.perSecond)}/s ${JSON.stringify(result.flood.answers)} | audit rows ${result.auditRowsDuringFlood} | ${result.machine.cpu}, ${result.machine.cores} cores |\n`,
    );
    const out = join(import.meta.dirname, 'results');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, `auth-flood-${limits}.json`), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    flooder?.kill('SIGKILL');
    hub.kill('SIGTERM');
    await once(hub, 'exit').catch(() => {});
    await db.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--flood') await flood(args[1]!, Number(args[2]));
else await main();
