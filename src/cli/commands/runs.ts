/**
 * `edubridge runs request`: asks a running hub for a sync run through its API (where the workers
 * pick it up), the way district IT would from a script. It sends an `Idempotency-Key` made for this
 * request and keeps it through its own retries: a 503 while a store is away, a connection that
 * broke, a timeout. However often it retries, the hub creates one run. With `--wait` it follows the
 * run to its end: exit 0 succeeded, 1 failed, 4 held.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { STREAM_NAMES } from '../../sdk/index.ts';
import { badOption, EXIT, integerOption, printJson, printLine, UsageError } from '../io.ts';
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
      'địa chỉ API của hub / the hub’s API (default EDUBRIDGE_API_URL, else http://HOST:PORT)',
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
}

/** Where the hub's API is: the flag, EDUBRIDGE_API_URL, or the HOST and PORT the hub is set to. */
async function apiBase(flag: string | undefined): Promise<URL> {
  const given = flag ?? process.env.EDUBRIDGE_API_URL;
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
