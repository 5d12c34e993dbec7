/**
 * `edubridge runs request`: asks a running hub for a sync run through its API (where the workers
 * pick it up), the way district IT would from a script. It sends an `Idempotency-Key` made for this
 * request and keeps it through its own retries: a 503 while a store is away, a connection that
 * broke, a timeout. However often it retries, the hub creates one run. With `--wait` it follows the
 * run to its end: exit 0 succeeded, 1 failed, 4 held.
 *
 * `edubridge runs list|show|release`: recent runs, one run, a held run released or discarded; through
 * the running hub's API when EDUBRIDGE_URL and EDUBRIDGE_API_KEY are set, else in the configured
 * database (see hub-access.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { STREAM_NAMES } from '../../sdk/index.ts';
import { withHubAccess } from '../hub-access.ts';
import type { RunView } from '../hub-client.ts';
import { badOption, EXIT, integerOption, printJson, printLine, UsageError, usageError } from '../io.ts';
import { createProgressBar } from '../progress.ts';

const EXIT_HELD = 4;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'held']);

interface RunAnswer {
  id: string;
  state: string;
  counts: Record<string, number>;
  failure?: { code: string; message: string } | null;
}

export function registerRunsCommands(program: Command, setExitCode: (code: number) => void): void {
  const runs = program
    .command('runs')
    .description('Các lần đồng bộ qua API của hub / Sync runs through the hub’s API');
  runs
    .command('request')
    .description('Yêu cầu một lần đồng bộ / Request a sync run of a school')
    .requiredOption('--school <code>', 'mã trường / school code')
    .option('--streams <list>', 'luồng, cách nhau bởi dấu phẩy / streams, comma separated', 'students')
    .option('--full', 'đồng bộ toàn bộ / a full run (default: incremental)')
    .option(
      '--api <url>',
      'địa chỉ API của hub / the hub’s API (default EDUBRIDGE_URL, else http://HOST:PORT)',
    )
    .option('--wait', 'chờ đến khi xong / follow the run to its end')
    .option('--tries <n>', 'số lần thử khi hub chưa sẵn sàng / tries while the hub cannot take it', '6')
    .option('--json', 'in JSON / print JSON')
    .action(
      async (opts: {
        school: string;
        streams: string;
        full?: boolean;
        api?: string;
        wait?: boolean;
        tries: string;
        json?: boolean;
      }) => {
        const streams = opts.streams.split(',').map((s) => s.trim());
        const unknown = streams.filter((s) => !(STREAM_NAMES as readonly string[]).includes(s));
        if (unknown.length > 0) {
          throw badOption(
            '--streams',
            `không biết "${unknown.join(', ')}"; chọn trong ${STREAM_NAMES.join(', ')}`,
            `does not know "${unknown.join(', ')}"; choose from ${STREAM_NAMES.join(', ')}`,
          );
        }
        const tries = integerOption(opts.tries, '--tries', 1, 100);
        const key = process.env.EDUBRIDGE_API_KEY;
        if (!key) {
          throw new UsageError(
            'API_KEY_MISSING',
            'Đặt khóa API vào biến môi trường EDUBRIDGE_API_KEY (edubridge apikey create)',
            'Put an API key in EDUBRIDGE_API_KEY (edubridge apikey create)',
          );
        }
        const base = await apiBase(opts.api);
        const idempotencyKey = randomUUID();
        const run = await withRetries(tries, async () =>
          call<RunAnswer>(base, key, 'POST', '/v1/runs', {
            headers: { 'idempotency-key': idempotencyKey },
            body: { schoolCode: opts.school, streams, mode: opts.full ? 'full' : 'incremental' },
          }),
        );
        if (!opts.wait) {
          if (opts.json) printJson(run);
          else printLine(`Lần chạy / Run ${run.id}: ${run.state}`);
          return;
        }
        const bar = createProgressBar('Đang đồng bộ / Syncing');
        let current = run;
        while (!TERMINAL.has(current.state)) {
          await new Promise((r) => setTimeout(r, 1_000));
          current = await withRetries(tries, () => call<RunAnswer>(base, key, 'GET', `/v1/runs/${run.id}`));
          bar.update(0, 0, `${current.state} ${current.counts.pulled ?? 0}`);
        }
        bar.done();
        setExitCode(
          current.state === 'succeeded' ? EXIT.ok : current.state === 'held' ? EXIT_HELD : EXIT.invalid,
        );
        if (opts.json) {
          printJson(current);
          return;
        }
        printLine(`Lần chạy / Run ${current.id}: ${current.state}`);
        if (current.failure) printLine(`  ${current.failure.code}: ${current.failure.message}`);
      },
    );
  registerRunStateCommands(runs);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkRunId(id: string): void {
  if (!UUID.test(id))
    throw badOption(
      '<id>',
      `"${id.slice(0, 80)}" không phải mã lần chạy`,
      `"${id.slice(0, 80)}" is not a run id`,
    );
}

type RunRow = NonNullable<Awaited<ReturnType<typeof import('../../store/index.ts').getRun>>>;

/** A run row as the API shows it, so both ways print the same. */
function runView(row: RunRow): RunView {
  const report = row.report as { failure?: { code?: string; message?: string } } | null;
  const { pendingCheckpoints: _p, excluded: _e, ...hold } = (row.hold ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    schoolCode: row.school_code,
    streams: row.streams,
    mode: row.mode,
    state: row.state,
    counts: row.counts as unknown as Record<string, number>,
    failure: report?.failure?.code
      ? { code: report.failure.code, message: report.failure.message ?? '' }
      : null,
    hold: row.hold ? hold : null,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

function runLine(run: RunView): string {
  const c = run.counts;
  const sent = (c.created ?? 0) + (c.updated ?? 0) + (c.deleted ?? 0);
  return `${run.id}  ${run.schoolCode}  ${run.state.padEnd(10)}  ${run.streams.join(',')}  đọc/read ${c.pulled ?? 0}, gửi/sent ${sent}, từ chối/refused ${c.refused ?? 0}  ${run.createdAt}`;
}

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

function registerRunStateCommands(runs: Command): void {
  runs
    .command('list')
    .description('Các lần đồng bộ gần đây / Recent runs')
    .option('--school <code>', 'mã trường / school code')
    .option('--limit <n>', 'tối đa / at most', '20')
    .option('--json', 'in JSON / print JSON')
    .action(async (opts: { school?: string; limit: string; json?: boolean }) => {
      const limit = integerOption(opts.limit, '--limit', 1, 500);
      const shown = await withHubAccess(async (access) => {
        if (access.kind === 'remote')
          return (await access.client.listRuns({ limit, ...(opts.school ? { school: opts.school } : {}) }))
            .runs;
        const { listRuns } = await import('../../store/index.ts');
        const rows = await listRuns(access.hub.database, {
          limit,
          ...(opts.school ? { schools: [opts.school] } : {}),
        });
        return rows.map(runView);
      });
      if (opts.json) {
        printJson({ runs: shown });
        return;
      }
      if (shown.length === 0) printLine('Không có lần chạy nào / No runs');
      for (const run of shown) printLine(runLine(run));
    });

  runs
    .command('show <id>')
    .description('Một lần đồng bộ / One run')
    .option('--json', 'in JSON / print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      checkRunId(id);
      const run = await withHubAccess(async (access) => {
        if (access.kind === 'remote') return access.client.getRun(id);
        const { getRun } = await import('../../store/index.ts');
        const row = await getRun(access.hub.database, id);
        if (!row) throw usageError('RUN_NOT_FOUND', { run: id });
        return { ...runView(row), report: row.report };
      });
      if (opts.json) {
        printJson(run);
        return;
      }
      printLine(runLine(run));
      if (run.failure) printLine(`  ${run.failure.code}: ${run.failure.message}`);
      if (run.hold) printLine(`  tạm giữ / held: ${JSON.stringify(run.hold).slice(0, 2_000)}`);
    });

  runs
    .command('release <id>')
    .description(
      'Cho phép gửi một lần chạy bị tạm giữ (--discard: hủy nó) / Release a held run to its targets (--discard: drop it)',
    )
    .option('--discard', 'hủy thay vì cho gửi / discard instead of release')
    .option('--json', 'in JSON / print JSON')
    .action(async (id: string, opts: { discard?: boolean; json?: boolean }) => {
      checkRunId(id);
      const decision = opts.discard ? 'discard' : 'release';
      const run = await withHubAccess(async (access) => {
        if (access.kind === 'remote') return access.client.releaseRun(id, decision);
        const { getRun } = await import('../../store/index.ts');
        const db = access.hub.database;
        const row = await getRun(db, id);
        if (!row) throw usageError('RUN_NOT_FOUND', { run: id });
        if (row.state !== 'held') throw usageError('RUN_NOT_HELD', { run: id, state: row.state });
        await access.hub.runs().decide({ runId: id, decision, decidedBy: actor() });
        return runView((await getRun(db, id))!);
      });
      if (opts.json) {
        printJson(run);
        return;
      }
      printLine(
        `${decision === 'release' ? 'Đã cho gửi / Released' : 'Đã hủy / Discarded'}: ${runLine(run)}`,
      );
    });
}

/** Where the hub's API is: the flag, EDUBRIDGE_API_URL, or the HOST and PORT the hub is set to. */
async function apiBase(flag: string | undefined): Promise<URL> {
  // EDUBRIDGE_URL is what the demo prints and the other commands read; EDUBRIDGE_API_URL its older name.
  const given = flag ?? process.env.EDUBRIDGE_URL ?? process.env.EDUBRIDGE_API_URL;
  if (given) {
    try {
      return new URL(given);
    } catch {
      throw badOption('--api', `không phải URL: "${given}"`, `is not a URL: "${given}"`);
    }
  }
  const { loadConfig } = await import('../../config/index.ts');
  const config = loadConfig();
  return new URL(`http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`);
}

/** An answer worth asking again for: the hub or a store is away for now. */
class TryAgain extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
  }
}

async function call<T>(
  base: URL,
  key: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: {
        'x-api-key': key,
        accept: 'application/json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new TryAgain(
      `Không kết nối được hub ${base.origin} / Cannot reach the hub at ${base.origin}: ${(cause as Error).message}`,
      2_000,
    );
  }
  const text = await response.text();
  const json = (() => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  })();
  if (response.ok && json) return json as T;
  const said = (json?.detail as string | undefined) ?? `HTTP ${response.status}`;
  if (response.status === 503 || response.status === 502 || response.status === 504) {
    const after = Number(response.headers.get('retry-after'));
    throw new TryAgain(said, Number.isFinite(after) && after > 0 ? after * 1_000 : 2_000);
  }
  // The hub's problem detail is already Vietnamese / English.
  throw new UsageError(String(json?.code ?? `HTTP_${response.status}`), said);
}

async function withRetries<T>(tries: number, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof TryAgain) || attempt >= tries) {
        if (error instanceof TryAgain) throw new UsageError('HUB_UNAVAILABLE', error.message);
        throw error;
      }
      process.stderr.write(
        `${error.message}; thử lại sau / trying again in ${Math.round(error.afterMs / 1000)} s\n`,
      );
      await new Promise((r) => setTimeout(r, Math.min(error.afterMs, 30_000)));
    }
  }
}
