export * from './codes.ts';
export { DatasetChecker, datasetView, type LateProblem } from './dataset.ts';
export {
  type Bilingual,
  bilingualLine,
  describeError,
  ERRORS,
  type ErrorActor,
  type ErrorCode,
  type ErrorDescription,
  type ErrorKind,
  type ErrorValue,
  type ErrorValues,
  errorKind,
  errorMessage,
  errorText,
  findError,
  isKnownCode,
  type ValuesOf,
} from './error-catalogue.ts';
export * from './grading.ts';
export { checkName, type NameCheck, nameMatchKey } from './names.ts';
export * from './personal-data.ts';
export * from './personal-id.ts';
export * from './problem.ts';
export * from './records.ts';
export { RULES, type RuleCode } from './rule-catalogue.ts';
export {
  ageOn,
  checkRecord,
  gradeOfClassName,
  type RecordCheck,
  RULE_CODES,
  type RuleContext,
  schoolYearStart,
} from './rules.ts';
export {
  TEXT_FIELDS,
  TEXT_GUARD,
  TEXT_KIND_NAMES,
  TEXT_KINDS,
  type TextKind,
  type TextKindName,
  type TextLimits,
  textLength,
  textLimitOf,
} from './text-limits.ts';
