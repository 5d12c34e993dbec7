/**
 * The synthetic-district generator: deterministic, streaming canonical JSONL for a district of
 * HCMC lower-secondary schools, with optional injected faults listed in `defects.json`.
 */
export { DEFECT_KIND_NAMES, DEFECT_KINDS, type DefectEntry, type DefectKind } from './defects.ts';
export {
  type GenerateOptions,
  type GenerationSummary,
  GeneratorOptionsError,
  generateDistrict,
} from './district.ts';
export { DEFECTS_FILE, MANIFEST_FILE, RECORD_STREAMS, type RecordStreamName, streamFile } from './streams.ts';
