export {
  PROBLEM_CONTENT_TYPE,
  type Problem,
  ProblemError,
  type ProblemInit,
  problem,
  problemSchema,
  problemType,
} from '../api/problem.ts';
export type { App } from './app.ts';
export { REDACT_PATHS } from './build.ts';
export { type AppDeps, buildApp } from './build-app.ts';
export { closeRedis, createRedis } from './dependencies.ts';
export type { FieldError } from './errors.ts';
export { generateOpenApi, toStableJson, withOfflineApp } from './openapi.ts';
export { CHECK_TIMEOUT_MS, type CheckResult } from './readiness.ts';
