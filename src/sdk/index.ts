/**
 * The EduBridge adapter SDK (`edubridge/sdk`): everything a vendor needs to connect a school system,
 * and nothing else. See `docs/adapters.md` for a walk-through and `docs/model.md` for the canonical
 * records an adapter yields.
 *
 * Every name is listed here on purpose: the public surface is locked by `api/sdk.api.md`
 * (`npm run api-report`), so adding, removing or changing a name is a reviewed change. Modules of
 * the hub import what they need from the SDK's own files (`./adapter.ts`, `./errors.ts` …), not
 * from here, so that this file stays the vendor's surface. The conformance kit is a separate entry
 * point, `edubridge/kit` (`./conformance/index.ts`).
 *
 * @packageDocumentation
 */

/**
 * The zod the SDK's schemas are made with: an adapter's config schema uses it, so the package
 * needs no zod of its own and the hub reads the schema with the zod it was made with.
 */
export { z } from 'zod';
// Code lists (mappings/codes/)
export {
  type CodeItem,
  ETHNICITY_CODES,
  FEE_TYPE_CODES,
  PROVINCE_CODES,
  type SchoolLevel,
  STUDENT_STATUS_CODES,
  STUDENT_STATUSES,
  SUBJECT_CODES,
  type SubjectDefinition,
  subjectFor,
} from '../model/codes.ts';
// The canonical model an adapter yields (docs/model.md; JSON Schemas in schemas/model/)
export {
  type Assessment,
  AssessmentSchema,
  type CanonicalRecord,
  CanonicalRecordSchema,
  type Class,
  ClassSchema,
  CommentSchema,
  type Enrollment,
  EnrollmentSchema,
  type FeeItem,
  FeeItemSchema,
  GenderSchema,
  type Guardian,
  GuardianSchema,
  type Guardianship,
  GuardianshipSchema,
  type Invoice,
  InvoiceSchema,
  LearningLevelSchema,
  type LearningResult,
  LearningResultSchema,
  type Payment,
  PaymentSchema,
  type Person,
  PersonSchema,
  RECORD_SCHEMAS,
  RECORD_TYPES,
  type Receivable,
  ReceivableSchema,
  type RecordKey,
  RecordKeySchema,
  type RecordType,
  RelationshipSchema,
  recordKey,
  type School,
  SchoolSchema,
  type SchoolYear,
  SchoolYearSchema,
  type Semester,
  SemesterSchema,
  type Source,
  SourceSchema,
  type Student,
  StudentSchema,
  StudentStatusSchema,
  type Subject,
  type SubjectResult,
  SubjectResultSchema,
  SubjectSchema,
  type Teacher,
  TeacherSchema,
  type TimetableSlot,
  TimetableSlotSchema,
} from '../model/records.ts';
// The adapter contract
export {
  type Adapter,
  type AdapterDefinition,
  type AdapterLogger,
  type BaseContext,
  type CheckProblem,
  type Checkpoint,
  type CheckpointSignal,
  type CheckResult,
  checkProblemOf,
  type DefinedAdapter,
  type DeletedSignal,
  type Discovery,
  defineAdapter,
  isSignal,
  type KeyChangedSignal,
  type ReadContext,
  type ReadItem,
  type ReadSignal,
  type RejectedSignal,
  STREAM_NAMES,
  STREAMS,
  type StreamDefinition,
  type StreamName,
  WRITABLE_STREAMS,
  WRITE_NOT_CONFIGURED,
  type WritableRecords,
  type WritableStream,
  type WriteContext,
  type WriteRecordResult,
  type WriteResult,
} from './adapter.ts';
// Configuration and secrets
export { parseAdapterConfig, redactConfig, scrubSecrets, secret } from './config.ts';
// Errors
export {
  AdapterError,
  isAdapterError,
  PermanentError,
  RecordError,
  RetryableError,
  ThrottledError,
} from './errors.ts';
// HTTP
export {
  createHttpClient,
  type HttpAuth,
  type HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  type PageRequest,
  retryAfterMs,
} from './http.ts';
// Bounds on what an adapter parses
export {
  DEFAULT_INPUT_LIMITS,
  fileLimitError,
  INPUT_LIMIT_SETTINGS,
  type InputLimitBreach,
  InputLimitError,
  type InputLimitName,
  type InputLimits,
  inputLimits,
} from './limits.ts';
// Pages: one retry policy for a page that comes back broken
export {
  type Bilingual,
  checkPage,
  DEFAULT_PAGE_ATTEMPTS,
  maskedQuery,
  PAGE_PROBLEM_CODES,
  type PageCounts,
  PageError,
  type PageErrorOptions,
  type PagePolicy,
  type PageProblem,
  type PageRef,
  pageProblem,
  pageUrl,
  type RetryPageOptions,
  retryPage,
  totalOf,
} from './pages.ts';
// Pagination
export {
  byCursor,
  byNextLink,
  byOffset,
  byPageNumber,
  nextLinkFromHeader,
  type PageOptions,
} from './paginate.ts';
// Building records
export { mapEach, recordSource } from './records.ts';
export { sleep } from './sleep.ts';
// Vendor values to canonical ones
export {
  atPointer,
  codeList,
  type DateFormat,
  fold,
  genderCode,
  matchHeader,
  parseDate,
  VIETNAMESE_DATE_FORMATS,
} from './transforms.ts';
export { SDK_VERSION } from './version.ts';
