export { createGatewayClient, defaultPath, lgspAccessToken } from './client.ts';
export {
  cleanGatewayText,
  DEFAULT_TRANSIENT_CODES,
  type GatewayErrorDetails,
  GatewayPermanentError,
  GatewayRetryableError,
  isTransientCode,
} from './errors.ts';
export { buildAgent, buildTlsOptions } from './tls.ts';
export type {
  GatewayClient,
  GatewayClientOptions,
  GatewayLogger,
  GatewayResponse,
  GatewaySendRequest,
  GatewayTlsFiles,
  Personality,
  VnptSettings,
  Wso2Settings,
  XroadSettings,
} from './types.ts';
export { PERSONALITIES } from './types.ts';
export { xroadAuthorization, xroadSignature } from './xroad.ts';
