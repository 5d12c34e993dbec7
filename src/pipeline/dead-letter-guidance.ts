/**
 * Who has to act on a dead letter, and what to do, by its reason (the code the target or the gateway
 * gave). A letter that says only "refused" leaves district IT guessing; one that says "the city must
 * approve this student on its review list" gets acted on.
 */
import { describeError, type ErrorActor } from '../model/index.ts';
import { type DeadLetterRow, deadLetterState } from '../store/index.ts';

export type LetterActor = ErrorActor;

export interface LetterGuidance {
  actor: LetterActor;
  action: { vi: string; en: string };
}

/**
 * Who acts on a letter and what to do, from the error catalogue: the letter's code is the target's
 * (or the gateway's) reason, and a target's code the catalogue does not know is described as one.
 */
export function deadLetterGuidance(code: string): LetterGuidance {
  const { actor, action } = describeError(code, {}, { origin: 'target' });
  return { actor, action };
}

/** A letter as people read it (API, CLI): its reason, who acts and what to do, where it stands. */
export function describeDeadLetter(row: DeadLetterRow) {
  const answer = row.answer as { message?: unknown } | null;
  const guidance = deadLetterGuidance(row.code);
  return {
    id: row.id,
    runId: row.run_id,
    firstRunId: row.first_run_id,
    schoolCode: row.school_code,
    target: row.target,
    stream: row.stream,
    recordKey: row.record_key,
    code: row.code,
    message: typeof answer?.message === 'string' ? answer.message : null,
    actor: guidance.actor,
    action: guidance.action,
    occurrences: row.occurrences,
    attempts: row.attempts,
    state: deadLetterState(row),
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    replayedAt: row.replayed_at?.toISOString() ?? null,
    discardedAt: row.discarded_at?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}
