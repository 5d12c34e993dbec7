import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** What the figures were measured on, written beside them. */
export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * CPU seconds used so far by the processes a benchmark involves, read from /proc (Linux; empty
 * elsewhere): this process, the given child (the sandboxes), worker processes, and every PostgreSQL and Redis
 * process of the machine (PostgreSQL's ended backends counted through the postmaster's reaped
 * children). The difference of two readings says which of them a stage kept busy.
 */
export function cpuSeconds(childPid?: number, workerPids: readonly number[] = []): Record<string, number> {
  const tick = 100; // USER_HZ on Linux
  const read = (pid: string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat
        .slice(close + 2)
        .split(' ')
        .map(Number);
      // Fields after the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
      return { name, ppid: f[1]!, own: (f[11]! + f[12]!) / tick, reaped: (f[13]! + f[14]!) / tick };
    } catch {
      return undefined;
    }
  };
  const out: Record<string, number> = {
    hub: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  };
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  let postgres = 0;
  let redis = 0;
  for (const pid of pids) {
    const p = read(pid);
    if (!p) continue;
    if (p.name === 'postgres') {
      postgres += p.own;
      // The postmaster (its parent is not postgres) has reaped the backends that ended.
      if (read(String(p.ppid))?.name !== 'postgres') postgres += p.reaped;
    } else if (p.name.startsWith('redis-server')) redis += p.own;
  }
  if (childPid !== undefined) {
    const c = read(String(childPid));
    if (c) out.sandbox = c.own;
  }
  if (workerPids.length > 0)
    out.workers = workerPids.reduce((sum, pid) => sum + (read(String(pid))?.own ?? 0), 0);
  return { ...out, postgres, redis };
}

/** CPU seconds between two readings of `cpuSeconds`, rounded to tenths. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(
    Object.keys(after).map((k) => [k, Number(((after[k] ?? 0) - (before[k] ?? 0)).toFixed(1))]),
  );
}
