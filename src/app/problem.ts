import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, plus our stable `code`. Extension members are allowed beside. */
export const problemSchema = z
  .looseObject({
    type: z.string().describe('URI naming the kind of problem, derived from `code`'),
    title: z.string().describe('Short summary, Vietnamese / English'),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional().describe('This occurrence, Vietnamese / English'),
    instance: z.string().optional().describe('Path of the request that failed'),
    code: z.string().describe('Stable machine-readable code, e.g. ROUTE_NOT_FOUND'),
  })
  // The id makes it one named component of the OpenAPI document rather than a copy per route.
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.output<typeof problemSchema>;

export interface ProblemInit {
  status: number;
  /** Stable, upper snake case: clients branch on it, so never reword it. */
  code: string;
  /** Vietnamese / English; defaults to the status's title. */
  title?: string;
  detail?: string;
  /** Extra members of the problem body (e.g. `errors`, `checks`). */
  extensions?: Record<string, unknown>;
  /** Sent as `Retry-After`: when trying again makes sense (503 while a store is away, 429). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * Throw from a route to answer with problem details.
 *
 * @example
 * throw new ProblemError({ status: 409, code: 'RUN_ALREADY_ACTIVE', detail: 'Đang chạy / Already running' });
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
    if (!Number.isInteger(init.status) || init.status < 400 || init.status > 599) {
      throw new RangeError(`ProblemError status must be 400–599, got ${init.status}`);
    }
    const title = init.title ?? statusTitle(init.status);
    super(init.detail ?? title, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.title = title;
    this.detail = init.detail;
    this.extensions = init.extensions ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
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
