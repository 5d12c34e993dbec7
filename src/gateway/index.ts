export { createGatewayClient, defaultPath, lgspAccessToken, quoteSoapAction } from './client.ts';
export {
  cleanGatewayText,
  DEFAULT_TRANSIENT_CODES,
  type GatewayErrorDetails,
  GatewayPermanentError,
  GatewayRetryableError,
  GatewayThrottledError,
  gatewayError,
  isTransientCode,
  isTransientSoapFault,
} from './errors.ts';
export { GATEWAY_CALL_CHANNEL, type GatewayCallEvent, gatewayCallChannel } from './events.ts';
export { readSoapFault, type SoapFault } from './soap.ts';
export { buildAgent, buildTlsOptions } from './tls.ts';
export type {
  GatewayClient,
  GatewayClientOptions,
  GatewayLogger,
  GatewayResponse,
  GatewaySendRequest,
  GatewaySoapRequest,
  GatewaySoapResponse,
  GatewayTlsFiles,
  Personality,
  VnptSettings,
  Wso2Settings,
  XroadSettings,
} from './types.ts';
export { PERSONALITIES } from './types.ts';
export { xroadAuthorization, xroadSignature } from './xroad.ts';
