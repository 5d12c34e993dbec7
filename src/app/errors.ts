import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError, problem, sendProblem } from '../api/problem.ts';
import { isDatabaseUnavailable, isRedisUnavailable } from '../pipeline/lease.ts';
import { storeUnavailable } from './store-guard.ts';

/** One field a request got wrong, as listed in a 400 problem's `errors`. */
export interface FieldError {
  /** Which part of the request: body, querystring, params or headers. */
  in: string;
  /** Dotted path inside that part; empty when the part as a whole is wrong. */
  field: string;
  message: string;
}

// Fastify's own 4xx errors (bad JSON, body too large, wrong media type …) mapped to our codes, so
// clients never depend on Fastify's internal names.
const CLIENT_ERROR_CODES: Record<number, string> = {
  400: 'REQUEST_MALFORMED',
  413: 'BODY_TOO_LARGE',
  415: 'MEDIA_TYPE_UNSUPPORTED',
};

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const route = `${request.method} ${request.url.split('?', 1)[0]}`;
    return sendProblem(reply, request, problem('ROUTE_NOT_FOUND', { route }));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = classify(error, request);
    if (problem.code === 'STORE_UNAVAILABLE') {
      request.log.warn({ code: problem.code, message: error.message }, 'store unavailable');
    } else if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
    }
    return sendProblem(reply, request, problem);
  });
}

function classify(error: FastifyError, request: FastifyRequest): ProblemError {
  if (error instanceof ProblemError) return error;

  if (Array.isArray(error.validation) && error.validation.length > 0) {
    const errors = fieldErrors(error);
    const fields = errors.map((e) => [e.in, e.field].filter(Boolean).join('.')).join(', ');
    return problem(
      'REQUEST_INVALID',
      { count: errors.length, fields },
      { extensions: { errors }, cause: error },
    );
  }

  // A store that went away while the request was in hand: the client may try again shortly.
  if (isDatabaseUnavailable(error)) return storeUnavailable(['database'], error);
  if (isRedisUnavailable(error)) return storeUnavailable(['redis'], error);

  // Only Fastify's own client errors are trusted to carry a safe message and a meaningful status:
  // any other error with a `statusCode` (an upstream HTTP client's, say) is our failure, not the caller's.
  const status = error.statusCode ?? 500;
  if (error.code?.startsWith('FST_') && status >= 400 && status < 500) {
    return new ProblemError({
      status,
      code: CLIENT_ERROR_CODES[status] ?? 'REQUEST_REJECTED',
      values: { reason: error.message },
      cause: error,
    });
  }

  return problem('INTERNAL_ERROR', { request: request.id }, { cause: error });
}

function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'request';
  return (error.validation ?? []).map((issue) => ({
    in: part,
    field: issue.instancePath.split('/').filter(Boolean).join('.'),
    message: issue.message ?? 'invalid',
  }));
}
