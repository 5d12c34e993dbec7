import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  bilingualLine,
  type ErrorCode,
  type ErrorValues,
  fillText,
  findError,
  type ValuesOf,
} from '../model/error-catalogue.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, plus our stable `code`. Extension members are allowed beside. */
export const problemSchema = z
  .looseObject({
    type: z.string().describe('URI naming the kind of problem, derived from `code`'),
    title: z.string().describe("The problem type's summary, Vietnamese / English (docs/errors.md)"),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional().describe('This occurrence, Vietnamese / English'),
    instance: z.string().optional().describe('Path of the request that failed'),
    code: z.string().describe('Stable machine-readable code, e.g. ROUTE_NOT_FOUND'),
  })
  // The id makes it one named component of the OpenAPI document rather than a copy per route.
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.output<typeof problemSchema>;

export interface ProblemInit {
  /** Stable, upper snake case: clients branch on it, so never reword it. */
  code: string;
  /** Defaults to the error catalogue's status for `code` (500 for a code it lacks). */
  status?: number;
  /** Fill the catalogue's message for `code`, which is then the `detail`. */
  values?: ErrorValues;
  /** Vietnamese / English; defaults to the catalogue's title for `code`, else the status's. */
  title?: string;
  /** Vietnamese / English; defaults to the catalogue's message filled with `values`. */
  detail?: string;
  /** Extra members of the problem body (e.g. `errors`, `checks`). */
  extensions?: Record<string, unknown>;
  /** Sent as `Retry-After`: when trying again makes sense (503 while a store is away, 429). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * Throw from a route to answer with problem details. Its status, title and detail come from the
 * error catalogue (`problem()` checks the values' names); what a route passes on from elsewhere
 * (another system's error, a code the catalogue lacks) may set them itself.
 *
 * @example
 * throw new ProblemError({ code: 'RUN_NOT_HELD', values: { run: id, state: 'running' } });
 * throw new ProblemError({ status: 409, code: error.code, detail: error.message });
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ProblemInit) {
    const known = findError(init.code);
    const status = init.status ?? known?.status ?? 500;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`ProblemError status must be 400–599, got ${status}`);
    }
    const title = init.title ?? (known ? bilingualLine(known.title) : statusTitle(status));
    // The catalogue's message is this occurrence's detail once its values are given (or it has none).
    const filled = known && (init.values !== undefined || !known.values?.length);
    const detail =
      init.detail ?? (filled ? bilingualLine(fillText(known.message, init.values ?? {})) : undefined);
    super(detail ?? title, { cause: init.cause });
    this.status = status;
    this.code = init.code;
    this.title = title;
    this.detail = detail;
    this.extensions = init.extensions ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/**
 * The problem of a catalogued code, its detail the catalogue's message filled with `values`.
 *
 * @example
 * throw problem('RUN_NOT_FOUND', { run: request.params.id });
 */
export function problem<C extends ErrorCode>(
  code: C,
  values: ValuesOf<C>,
  init: Omit<ProblemInit, 'code' | 'values'> = {},
): ProblemError {
  return new ProblemError({ ...init, code, values: values as ErrorValues });
}

const TITLES: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ / Bad Request',
  401: 'Chưa xác thực / Unauthorized',
  403: 'Không có quyền / Forbidden',
  404: 'Không tìm thấy / Not Found',
  405: 'Phương thức không được phép / Method Not Allowed',
  406: 'Không chấp nhận được / Not Acceptable',
  409: 'Xung đột / Conflict',
  413: 'Nội dung quá lớn / Content Too Large',
  415: 'Kiểu nội dung không hỗ trợ / Unsupported Media Type',
  422: 'Không xử lý được / Unprocessable Content',
  429: 'Quá nhiều yêu cầu / Too Many Requests',
  500: 'Lỗi máy chủ / Internal Server Error',
  502: 'Lỗi cổng nối / Bad Gateway',
  503: 'Dịch vụ chưa sẵn sàng / Service Unavailable',
  504: 'Hết thời gian chờ cổng nối / Gateway Timeout',
};

export function statusTitle(status: number): string {
  const english = STATUS_CODES[status] ?? 'Error';
  return TITLES[status] ?? `${status >= 500 ? 'Lỗi máy chủ' : 'Lỗi yêu cầu'} / ${english}`;
}

/** `ROUTE_NOT_FOUND` → `urn:edubridge:problem:route-not-found`: stable, and names no host. */
export function problemType(code: string): string {
  return `urn:edubridge:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code']);

export function toProblem(error: ProblemError, request: FastifyRequest): Problem {
  // An extension never overrides a standard member: clients rely on those.
  const extensions = Object.entries(error.extensions).filter(([key]) => !STANDARD_MEMBERS.has(key));
  return {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    instance: requestPath(request),
    code: error.code,
    ...Object.fromEntries(extensions),
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: ProblemError) {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(toProblem(error, request));
}

// The query string is left out: it may carry search terms that are personal data.
function requestPath(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
