/**
 * The frame every modelled system's OpenAPI document shares: the shared headers beside the
 * system's schemas and responses, every property marked with its provenance, one server at `/`.
 */
import { sharedHeaders } from './headers.ts';
import { type Json, markProvenance, type ProvenanceTable } from './openapi.ts';

/** What differs between the modelled systems' documents; the rest of the frame is shared. */
export interface ContractFrame {
  /** The contract's name in provenance errors (`city-edudb`, `ssc`). */
  contract: string;
  /** How the shared header texts name the system (`The city`, `SSC`). */
  system: string;
  title: string;
  version: string;
  description: string;
  /** What the upstream at `/` is, and where the simulator serves it. */
  server: string;
  tags: { name: string; description: string }[];
  schemas: Record<string, Json>;
  responses: Record<string, Json>;
  paths: Json;
  provenance: ProvenanceTable;
}

/** The OpenAPI 3.1 document of a modelled system, every property marked with its provenance. */
export function contractDocument(frame: ContractFrame): Json {
  const components = {
    schemas: frame.schemas,
    ...sharedHeaders(frame.system),
    responses: frame.responses,
  };
  markProvenance(
    frame.contract,
    components.schemas,
    { ...components.parameters, ...components.headers },
    frame.provenance,
  );
  return {
    openapi: '3.1.0',
    info: { title: frame.title, version: frame.version, description: frame.description },
    servers: [{ url: '/', description: frame.server }],
    tags: frame.tags,
    paths: frame.paths,
    components,
  };
}
