/**
 * A Redis of the demo's own, for a machine where none answers: `redis-server` from PATH on a free
 * loopback port, keeping nothing on disk, stopped with the demo. The demo must need nothing running;
 * BullMQ needs a real Redis, so the demo starts one rather than fake it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { reservePort } from './ports.ts';

export interface OwnRedis {
  url: string;
  port: number;
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL after a second); idempotent. */
  stop(): Promise<void>;
  /** Kills it at once, synchronously: for a process leaving on a signal or `exit`. */
  killNow(): void;
}

/** The path of `redis-server` on PATH, or undefined. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Starts `redis-server` and waits for its PONG (at most `waitMs`); undefined when the binary is not
 * on PATH. Throws when it is there but does not come up.
 */
export async function startOwnRedis(waitMs = 10_000): Promise<OwnRedis | undefined> {
  const binary = findRedisServer();
  if (!binary) return undefined;
  const reserved = await reservePort('127.0.0.1');
  const port = reserved.port;
  await reserved.release();
  const child: ChildProcess = spawn(
    binary,
    ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const killNow = () => {
    if (!gone()) child.kill('SIGKILL');
  };
  // Whatever way the process leaves (an error, process.exit), the server does not outlive it.
  process.once('exit', killNow);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', killNow);
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(killNow, 1_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const { Redis } = await import('ioredis');
  const until = Date.now() + waitMs;
  while (Date.now() < until && !gone()) {
    // A probe of its own each time that never reconnects: a refused connect() would otherwise
    // keep retrying and its promise might never settle.
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') {
        return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop, killNow };
      }
    } catch {
      // Not listening yet.
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`redis-server (${binary}) did not answer on port ${port} within ${waitMs} ms`);
}
