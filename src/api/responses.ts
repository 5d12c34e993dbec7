import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem.ts';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed (`REQUEST_INVALID`)',
  401: 'No API key (`API_KEY_MISSING`) or an invalid or revoked one (`API_KEY_INVALID`)',
  403: "The key's role or schools do not cover this (`FORBIDDEN_SCOPE`)",
  503: 'PostgreSQL or Redis cannot be reached (`STORE_UNAVAILABLE`); `Retry-After` says when to try again',
};

/** The problem-details responses a `/v1` route documents, e.g. `...problemResponses(401, 403)`. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? 'Problem details',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      },
    ]),
  );
}
