/**
 * Runs as the API and schedules ask for them: a queued run row, then a job; and carrying a job
 * out in a worker: the school's source, its adapter, the configured targets, `runSync`.
 */
import type { Queue } from 'bullmq';
import type { Adapter, StreamName } from '../sdk/index.ts';
import { PermanentError } from '../sdk/index.ts';
import { createQueuedRun, type Database, getRun, type Keyring } from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import { type ReplayOptions, replayDeadLetters } from './dead-letters.ts';
import { enqueueRun, type RunJob } from './queue.ts';
import { decideHeldRun } from './release.ts';
import type { Sources } from './sources.ts';
import { runSync } from './sync.ts';

export interface RunServiceDeps {
  db: Database;
  keyring: Keyring;
  queue: Queue<RunJob>;
  sources: () => Promise<Sources>;
  targets: () => readonly Target[];
  loadAdapter?: (id: string) => Promise<Adapter>;
  holdThreshold?: number;
}

export interface RunRequest {
  schoolCode: string;
  streams: StreamName[];
  mode: 'full' | 'incremental';
  requestedBy: string;
}

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /** The adapter a school's source uses, or undefined when the school has none. */
  async adapterOf(schoolCode: string): Promise<string | undefined> {
    return (await this.deps.sources())[schoolCode]?.adapter;
  }

  /** Records the run as queued and enqueues it; answers at once. */
  async request(input: RunRequest): Promise<{ runId: string; adapterId: string }> {
    const source = (await this.deps.sources())[input.schoolCode];
    if (!source) {
      throw new PermanentError(
        'SCHOOL_NOT_CONFIGURED',
        `Trường ${input.schoolCode} chưa có nguồn dữ liệu / School ${input.schoolCode} has no configured source`,
      );
    }
    const targets = this.deps.targets();
    const runId = await createQueuedRun(this.deps.db, {
      schoolCode: input.schoolCode,
      adapterId: source.adapter,
      // The version is known once a worker loads the adapter; it writes it then.
      adapterVersion: 'pending',
      mappingVersions: Object.fromEntries(targets.map((t) => [t.id, t.mappingVersion])),
      streams: input.streams,
      mode: input.mode,
      requestedBy: input.requestedBy,
    });
    await enqueueRun(this.deps.queue, runId);
    return { runId, adapterId: source.adapter };
  }

  /** Carries out a queued run (in a worker). */
  async execute(runId: string): Promise<void> {
    const { db, keyring } = this.deps;
    const run = await getRun(db, runId);
    if (!run) throw new PermanentError('RUN_NOT_FOUND', `No run ${runId}`);
    if (run.state !== 'queued') return; // carried out already (a redelivered job)
    const source = (await this.deps.sources())[run.school_code];
    if (!source || !this.deps.loadAdapter) {
      throw new PermanentError('SCHOOL_NOT_CONFIGURED', `School ${run.school_code} has no configured source`);
    }
    const adapter = await this.deps.loadAdapter(source.adapter);
    await runSync({
      db,
      keyring,
      adapter,
      adapterConfig: source.config,
      targets: this.deps.targets(),
      schoolCode: run.school_code,
      streams: run.streams as StreamName[],
      mode: run.mode,
      runId,
      ...(this.deps.holdThreshold !== undefined ? { holdThreshold: this.deps.holdThreshold } : {}),
    });
  }

  /** Replays dead letters through the configured targets (see dead-letters.ts). */
  replayDeadLetters(input: Omit<ReplayOptions, 'db' | 'keyring' | 'targets'>) {
    return replayDeadLetters({
      ...input,
      db: this.deps.db,
      keyring: this.deps.keyring,
      targets: this.deps.targets(),
    });
  }

  decide(input: { runId: string; decision: 'release' | 'discard'; decidedBy: string }) {
    return decideHeldRun({
      ...input,
      db: this.deps.db,
      keyring: this.deps.keyring,
      targets: this.deps.targets(),
    });
  }
}
