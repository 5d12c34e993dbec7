/**
 * The contracts of the outside systems as EduBridge models them, as OpenAPI 3.1 documents
 * generated from the zod schemas the code uses (`npm run contracts` writes them to `openapi/`;
 * `test/contracts.test.ts` checks the committed copies are fresh). The reasoning behind each
 * field is in `openapi/<system>.md`.
 */
import { cityEduDbContract } from './city-edudb/contract.ts';
import type { Json } from './openapi.ts';
import { sscContract } from './ssc/contract.ts';

export { CITY_ROSTER_OPERATION, cityEduDbContract } from './city-edudb/contract.ts';
export { CITY_EDUDB_PROVENANCE } from './city-edudb/provenance.ts';
export {
  type DocumentProperty,
  documentProperties,
  type FieldProvenance,
  markProvenance,
  type Provenance,
  ProvenanceError,
  type ProvenanceTable,
  provenanceCounts,
} from './openapi.ts';
export { SSC_MAX_PAGE, sscContract } from './ssc/contract.ts';
export { SSC_PROVENANCE } from './ssc/provenance.ts';

/** Each contract document by its file name in `openapi/`. */
export const CONTRACTS: Readonly<Record<string, () => Json>> = {
  'city-edudb.openapi.json': cityEduDbContract,
  'ssc.openapi.json': sscContract,
};
