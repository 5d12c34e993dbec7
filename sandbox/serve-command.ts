/**
 * The action of `edubridge sandbox serve`: checks the options, starts the simulators (serve.ts),
 * writes the sources file and the env file (each atomically: a hub or a script waiting for the file
 * never reads half of it), prints where everything is, and serves until SIGINT or SIGTERM, when
 * every server is closed and the command exits 0.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { badOption, EXIT, integerOption, printLine } from '../src/cli/io.ts';
import type { ServeCommandOptions } from './cli.ts';
import type { LgspPersonality } from './lgsp/index.ts';
import {
  envOf,
  renderEnvFile,
  SERVE_PERSONALITIES,
  type ServedSandbox,
  type ServeOptions,
  startServedSandbox,
} from './serve.ts';
import { MAX_PORT_BASE } from './serve-ports.ts';

export const DEFAULT_SOURCES_FILE = 'edubridge.sources.json';

/** The options as numbers and checked values; a bad one is a bilingual usage error naming it. */
export function serveOptionsOf(opts: ServeCommandOptions): ServeOptions {
  const personality = opts.personality as LgspPersonality;
  if (!SERVE_PERSONALITIES.includes(personality)) {
    throw badOption(
      '--personality',
      `phải là một trong ${SERVE_PERSONALITIES.join(', ')} (nhận được "${opts.personality}")`,
      `must be one of ${SERVE_PERSONALITIES.join(', ')} (got "${opts.personality}")`,
    );
  }
  if (opts.host.trim() === '') {
    throw badOption('--host', 'không được để trống', 'must not be empty');
  }
  return {
    schools: integerOption(opts.schools, '--schools', 1, 200),
    seed: integerOption(opts.seed, '--seed', 0, 2 ** 31 - 1),
    portBase: integerOption(opts.portBase, '--port-base', 0, MAX_PORT_BASE),
    personality,
    host: opts.host.trim(),
    hubUrl: hubUrlOption(opts.hubUrl),
  };
}

function hubUrlOption(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw badOption(
      '--hub-url',
      `phải là http(s)://máy[:cổng], không có đường dẫn (nhận được "${value}")`,
      `must be http(s)://host[:port] with no path (got "${value}")`,
    );
  }
  return url.origin;
}

/** Writes beside the file, then renames over it: readers see the old file or the new, never half. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A listen that failed on the address or a port, as the user's mistake it is. */
function listenProblem(error: unknown, options: ServeOptions): Error {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  const port = e.port ?? '?';
  switch (e.code) {
    case 'EADDRINUSE':
      return badOption(
        '--port-base',
        `cổng ${port} đang được dùng; chọn --port-base khác hoặc 0 (cổng trống bất kỳ)`,
        `port ${port} is in use; choose another --port-base, or 0 (any free ports)`,
      );
    case 'EACCES':
      return badOption(
        '--port-base',
        `không được phép mở cổng ${port}; chọn từ 1024 trở lên`,
        `not allowed to listen on port ${port}; choose 1024 or above`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return badOption(
        '--host',
        `không lắng nghe được ở "${options.host}"`,
        `cannot listen on "${options.host}"`,
      );
    default:
      return error as Error;
  }
}

export async function serveSandbox(opts: ServeCommandOptions): Promise<number> {
  const options = serveOptionsOf(opts);
  if (opts.envOut && opts.envFile && resolve(opts.envOut) !== resolve(opts.envFile)) {
    throw badOption('--env-file', 'khác --env-out; chỉ dùng một', 'differs from --env-out; give one of them');
  }
  const envPath = opts.envOut ?? opts.envFile;
  const envFile = envPath ? resolve(envPath) : undefined;
  const sourcesFile = opts.sourcesFile
    ? resolve(opts.sourcesFile)
    : envFile
      ? join(dirname(envFile), DEFAULT_SOURCES_FILE)
      : undefined;

  // Listening before anything starts: a signal while the district is generated still ends in a
  // clean close, once the servers are up.
  let stop: () => void = () => {};
  const stopped = new Promise<void>((done) => {
    stop = done;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    printLine(
      `EduBridge sandbox: ${options.schools} trường / schools, hạt giống / seed ${options.seed}, cổng LGSP / LGSP gateway ${options.personality}`,
    );
    printLine('  đang tạo dữ liệu và khởi động / generating the district and starting the simulators …');
    let served: ServedSandbox;
    try {
      served = await startServedSandbox(options);
    } catch (error) {
      throw listenProblem(error, options);
    }
    try {
      const sections = served.settings(sourcesFile ? { sourcesFile } : {});
      if (sourcesFile) await writeFileAtomic(sourcesFile, `${JSON.stringify(served.sources(), null, 2)}\n`);
      const envText = renderEnvFile(sections, [
        `EduBridge sandbox serve --schools ${options.schools} --seed ${options.seed} --personality ${options.personality}`,
        'Thiết lập để hub tới các hệ thống giả lập / The settings that take the hub to the simulators.',
        'Địa chỉ chỉ đúng khi sandbox đang chạy / The URLs hold only while the sandbox runs.',
      ]);
      if (envFile) await writeFileAtomic(envFile, envText);
      printSummary(served, { envFile, sourcesFile, envText, settings: envOf(sections) });
      printLine('');
      printLine('Đang phục vụ, Ctrl-C để dừng / Serving; Ctrl-C to stop');
      await stopped;
    } finally {
      printLine('Đang dừng / Stopping …');
      await served.close();
    }
    printLine('Đã dừng / Stopped');
    return EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function printSummary(
  served: ServedSandbox,
  files: {
    envFile: string | undefined;
    sourcesFile: string | undefined;
    envText: string;
    settings: Record<string, string>;
  },
): void {
  printLine(`  trường / schools: ${served.schoolCodes.join(', ')}`);
  printLine('');
  const simulators = served.simulators;
  const width = Math.max(...simulators.map((s) => s.name.length), 'Hệ thống / System'.length) + 2;
  printLine(`${'Hệ thống / System'.padEnd(width)}URL`);
  printLine(`${'─'.repeat(width - 2)}  ${'─'.repeat(30)}`);
  for (const s of simulators) printLine(`${s.name.padEnd(width)}${s.url}`);
  for (const s of simulators) {
    printLine('');
    printLine(`■ ${s.name}  ${s.url}`);
    const column = (label: string, lines: readonly string[]) => {
      for (const [i, line] of lines.entries()) printLine(`  ${(i === 0 ? label : '').padEnd(26)}${line}`);
    };
    column('đăng nhập / credentials:', s.credentials);
    column('núm lỗi / fault knobs:', s.knobs);
  }
  printLine('');
  printLine(
    'Tài khoản VNeID để thử (nhập số định danh ở trang đăng nhập) / Test VNeID accounts (enter the ID number on the login page):',
  );
  for (const a of served.testAccounts)
    printLine(`  ${a.personalId}  ${a.fullName.padEnd(24)} ${a.birthDate}  ${a.role}`);
  printLine('');
  if (files.sourcesFile) printLine(`Nguồn dữ liệu / Sources (SOURCES_FILE): ${files.sourcesFile}`);
  if (files.envFile) {
    printLine(`Thiết lập của hub / The hub's settings: ${files.envFile}`);
    // Exported, not copied to .env: the sources file's {"env": …} references read the environment.
    printLine(
      `  chạy hub với các thiết lập này / run the hub with them: set -a && . ${shellQuote(files.envFile)} && set +a && npx edubridge serve`,
    );
  } else {
    printLine(
      'Thiết lập của hub (dùng --env-out FILE để ghi ra tệp) / The hub’s settings (--env-out FILE writes them to a file):',
    );
    printLine(files.envText.trimEnd());
    if (!files.sourcesFile)
      printLine(
        '# SOURCES_FILE: dùng --env-out hoặc --sources-file để ghi nguồn dữ liệu / use --env-out or --sources-file to write the sources',
      );
  }
}

/** A path as one shell word. */
function shellQuote(path: string): string {
  return /^[A-Za-z0-9_./:@+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
