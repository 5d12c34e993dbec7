/**
 * Every process the fault suite starts (PostgreSQL, redis-server, the hub's API and workers) is
 * registered here and killed when the suite ends, however it ends: normally, on Ctrl-C, on SIGTERM
 * or on an uncaught error. A fault suite that leaves a worker or a PostgreSQL behind would poison
 * the next run (and anyone else's tests on the machine).
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

const LOG_TAIL_LINES = 200;

export interface Child {
  name: string;
  process: ChildProcess;
  /** The file its stdout and stderr go to. */
  logFile: string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Set once it exited. */
  exit: number | string | undefined;
  /** Its last lines of output (kept in memory, so a failed scenario can show them). */
  tail(lines?: number): string[];
  /** Resolves when a line of its output matches (the worker's "running" line, say). */
  printed(pattern: RegExp, timeoutMs: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL (the whole process group when it has one) and wait for the exit. */
  kill(): Promise<void>;
}

const children = new Set<Child>();

interface StartOptions extends Pick<SpawnOptions, 'env' | 'cwd' | 'uid' | 'gid'> {
  /** Own process group, so a kill reaches its children too (PostgreSQL's backends). */
  group?: boolean;
}

/** Starts `command`, its output going to `logFile` and to a small in-memory tail. */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  options: StartOptions = {},
): Child {
  const { group, ...spawnOptions } = options;
  const proc = spawn(command, args, {
    ...spawnOptions,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group === true,
  });
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const lines: string[] = [];
  const watchers = new Set<{ pattern: RegExp; resolve: () => void }>();
  let partial = '';
  const take = (chunk: Buffer) => {
    if (!log.writableEnded) log.write(chunk);
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > LOG_TAIL_LINES) lines.shift();
      for (const w of watchers) if (w.pattern.test(line)) w.resolve();
    }
  };
  proc.stdout?.on('data', take);
  proc.stderr?.on('data', take);
  let exitValue: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('error', (error) => {
      take(Buffer.from(`could not start ${command}: ${error.message}\n`));
      exitValue = 'spawn-error';
      resolve(exitValue);
    });
    proc.once('exit', (code, signal) => {
      exitValue = code ?? signal ?? 'unknown';
      resolve(exitValue);
    });
  });
  const child: Child = {
    name,
    process: proc,
    logFile,
    exited,
    get exit() {
      return exitValue;
    },
    tail: (n = 20) => [...lines, ...(partial ? [partial] : [])].slice(-n),
    printed: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (lines.some((l) => pattern.test(l))) return resolve();
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        const watcher = {
          pattern,
          resolve: () => {
            clearTimeout(timer);
            watchers.delete(watcher);
            resolve();
          },
        };
        watchers.add(watcher);
        void exited.then(() => {
          if (!watchers.has(watcher)) return;
          clearTimeout(timer);
          watchers.delete(watcher);
          reject(new Error(`${name} exited (${exitValue}) before printing ${pattern}`));
        });
      }),
    signal: (signal) => {
      if (exitValue === undefined) proc.kill(signal);
    },
    kill: async () => {
      if (exitValue === undefined) killNow(child, 'SIGKILL');
      await exited;
    },
  };
  children.add(child);
  if (group) groupLeaders.add(child);
  void exited.then(() => children.delete(child));
  // Output can still arrive between a process's exit and its pipes' close: the log ends on close.
  proc.once('close', () => log.end());
  return child;
}

const groupLeaders = new WeakSet<Child>();

function killNow(child: Child, signal: NodeJS.Signals) {
  const pid = child.process.pid;
  if (pid === undefined) return;
  try {
    // A negative pid is the process group: PostgreSQL's backends die with their postmaster.
    if (groupLeaders.has(child)) process.kill(-pid, signal);
    else child.process.kill(signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILL to every process still running; synchronous, so it works inside an `exit` handler. */
export function killAllChildren(): void {
  for (const child of children) killNow(child, 'SIGKILL');
}

let installed = false;

/** Kills every child when the suite's process ends, however it ends. */
export function killChildrenOnExit(onFatal: (error: unknown) => void): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nfaults: ${signal}, stopping every process started\n`);
      killAllChildren();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    onFatal(error);
    killAllChildren();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    onFatal(error);
    killAllChildren();
    process.exit(1);
  });
}
