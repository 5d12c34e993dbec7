/**
 * C06 (national population DB) identity lookup: the SOAP codec and its errors. The call itself
 * goes through the gateway: `gateway.sendSoap({ service: C06_SERVICE, operation: C06_OPERATION, xml })`.
 */
export {
  C06Error,
  type C06ErrorCode,
  C06FaultError,
  C06RequestError,
  C06ResponseError,
} from './errors.ts';
export {
  buildLookupRequest,
  C06_OPERATION,
  C06_REQUEST_NAMESPACE,
  C06_RESPONSE_NAMESPACE,
  type C06Citizen,
  type C06LookupInput,
  type C06LookupResult,
  type C06NameFormat,
  type C06Relative,
  type C06Requester,
  formatNameForC06,
  type ParseLookupOptions,
  parseLookupResponse,
  SOAP_ENVELOPE_NAMESPACE,
} from './soap.ts';

/** The gateway service C06 is published under (assumed ❓: NDXP's real service name is not known). */
export const C06_SERVICE = 'c06';
