/** The shapes of the `/v1` answers the console reads (the hub's OpenAPI document is the contract). */
export type Colour = 'green' | 'amber' | 'red' | 'grey';
export interface Bilingual {
  vi: string;
  en: string;
}

export interface StreamStatus {
  stream: string;
  targets: string[];
  runId: string;
  state: string;
  mode: string;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  read: number;
  sent: number;
  refused: number;
  deadLettered: number;
  failure: { code: string; message: string } | null;
}

export interface SchoolStatus {
  schoolCode: string;
  name: string | null;
  adapter: string | null;
  configured: boolean;
  colour: Colour;
  reasons: Array<Bilingual & { code: string; colour: Colour }>;
  streams: StreamStatus[];
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  deadLetters: {
    open: number;
    reasons: Array<{
      target: string;
      stream: string;
      code: string;
      message: string | null;
      count: number;
      actor: string;
      action: Bilingual;
    }>;
  };
  heldRuns: string[];
  identity: { people: number; withPersonalId: number; confirmed: number; confirmedShare: number | null };
}

export interface Overview {
  generatedAt: string;
  totals: Record<'schools' | Colour | 'openDeadLetters' | 'heldRuns', number>;
  schools: SchoolStatus[];
}

export interface RunCounts {
  pulled: number;
  valid: number;
  invalid: number;
  excluded: number;
  unchanged: number;
  staged: number;
  created: number;
  updated: number;
  deleted: number;
  refused: number;
  failed: number;
}

export interface Run {
  id: string;
  schoolCode: string;
  adapterId: string;
  streams: string[];
  mode: string;
  state: string;
  counts: RunCounts;
  timings: Record<string, number>;
  hold: Record<string, unknown> | null;
  failure: { code: string; message: string } | null;
  reconciliation: null | {
    ok: boolean;
    checks: Array<{ name: string; expected: number; actual: number; ok: boolean }>;
  };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface DeadLetter {
  id: string;
  target: string;
  stream: string;
  recordKey: string;
  code: string;
  message: string | null;
  actor: string;
  action: Bilingual;
  occurrences: number;
  state: string;
  lastSeenAt: string;
}

export interface Principal {
  role: string;
  schools: string[];
}
