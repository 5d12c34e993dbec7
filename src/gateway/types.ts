/**
 * The shapes of the gateway client: one client per target (city Education DB, SSC, C06), each
 * behind a gateway whose "personality" decides how it authenticates and how it answers.
 */

export const PERSONALITIES = ['wso2', 'vnpt-lgsp', 'xroad'] as const;
export type Personality = (typeof PERSONALITIES)[number];

/** Enough of pino's interface: `logger.info({ fields }, 'message')`. */
export interface GatewayLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/** Client certificate for mutual TLS, read from files at start-up. */
export interface GatewayTlsFiles {
  certFile: string;
  keyFile: string;
  /** Extra CA bundle that signed the gateway's certificate (the government CA, say). */
  caFile?: string;
  passphrase?: string;
}

/** WSO2 API Manager style (the old NGSP, several LGSPs): OAuth2 client credentials, Bearer. */
export interface Wso2Settings {
  consumerKey: string;
  consumerSecret: string;
  /** Default `${baseUrl}/token`. */
  tokenUrl?: string;
  scope?: string;
  /** API context version per service (`/{api}/{version}/{op}`); default `1.0`. */
  serviceVersions?: Record<string, string>;
}

/** VNPT LGSP style: the `lgspaccesstoken` header, a Bearer token, routing codes in headers. */
export interface VnptSettings {
  accessKey: string;
  secretKey: string;
  appName: string;
  partnerCode: string;
  partnerCodeCus: string;
  /** LinkAPIXacthuc; default `${baseUrl}/xacthuc`. */
  tokenUrl?: string;
  /** Our agency code (QCVN 102:2016, e.g. `000.00.00.H29`): `SENDER_CODE`. */
  senderCode: string;
  /** `RECEIVER_CODE` per service; `defaultReceiverCode` otherwise. */
  receiverCodes?: Record<string, string>;
  defaultReceiverCode: string;
  /** `TRAN_CODE` per `service.operation`; the operation name otherwise. */
  tranCodes?: Record<string, string>;
  /**
   * Also put the idempotency key in the envelope under this name (beside `data`). Off by default:
   * whether the real gateway tolerates an extra envelope field is not known.
   */
  idempotencyKeyField?: string;
}

/** X-Road style (NDXP for C06 data): client id, API key, timestamped signed Basic credentials. */
export interface XroadSettings {
  /** `X-Road-Client`, e.g. `VN/GOV/000.00.00.H29/EDUBRIDGE`. */
  client: string;
  apiKey: string;
  userName: string;
  secretKey: string;
  /** `url_xacthuc` of the signature; default the gateway's base URL. */
  authUrl?: string;
  /** `X-Road-UserId`: the person or service account on whose behalf the hub asks. */
  userId?: string;
}

interface CommonOptions {
  /** Name of the target in logs and messages ("city-edudb"). */
  target: string;
  baseUrl: string;
  /** Whole request, reading included (default 30 s). */
  timeoutMs?: number;
  /** Reading stops beyond this (default 10 MiB). */
  maxResponseBytes?: number;
  /** Refresh a token this long before it expires (default 60 s; half the lifetime if shorter). */
  refreshMarginMs?: number;
  /**
   * Gateway error codes that mean "try again later" (matched exactly or as a dotted prefix).
   * Defaults per personality in `DEFAULT_TRANSIENT_CODES`.
   */
  transientCodes?: string[];
  /**
   * SOAP faults (`sendSoap`) that mean "try again later": an entry matches a fault whose faultcode,
   * with or without its prefix, equals it or starts with it and a dot, or whose faultstring
   * contains it (case-insensitive). Any other fault is permanent. Default `transientCodes`
   * (X-Road reports its network faults as SOAP faults with those codes).
   */
  transientSoapFaults?: string[];
  /** Service path for a call; defaults per personality (see `defaultPath`). */
  pathFor?: (service: string, operation: string) => string;
  tls?: GatewayTlsFiles;
  logger?: GatewayLogger;
  /** Clock, for tests. */
  now?: () => number;
}

export type GatewayClientOptions =
  | (CommonOptions & { personality: 'wso2'; wso2: Wso2Settings })
  | (CommonOptions & { personality: 'vnpt-lgsp'; vnpt: VnptSettings })
  | (CommonOptions & { personality: 'xroad'; xroad: XroadSettings });

export interface GatewaySendRequest {
  service: string;
  operation: string;
  /** JSON body; for `vnpt-lgsp` the records that go in `{"data":[…]}` (a non-array is wrapped). */
  body: unknown;
  /** Same key for every retry of the same batch: `Idempotency-Key`. */
  idempotencyKey: string;
  /** Ties the logs of one sync run or batch together: `X-Correlation-Id`. */
  correlationId: string;
}

export interface GatewayResponse<T = unknown> {
  status: number;
  /** The business payload: the reply JSON, or for `vnpt-lgsp` the parsed `message`. */
  body: T;
  /** The gateway's id for the exchange when it sends one, else ours (`X-Message-Id`). */
  messageId: string;
  durationMs: number;
}

/** One SOAP 1.1 call (`sendSoap`): the envelope goes out as it is and the answer comes back as text. */
export interface GatewaySoapRequest {
  service: string;
  operation: string;
  /** The whole SOAP envelope. */
  xml: string;
  /** `SOAPAction`, sent quoted as SOAP 1.1 wants it; default `""` (what NDXP's C06 clients send). */
  soapAction?: string;
  /** Ties the logs of one check together: `X-Correlation-Id`. */
  correlationId: string;
}

export interface GatewaySoapResponse {
  status: number;
  /** The answer as the service wrote it (an envelope, or a proxy's JSON wrapper around one). */
  body: string;
  messageId: string;
  durationMs: number;
}

export interface GatewayClient {
  readonly personality: Personality;
  readonly target: string;
  send<T = unknown>(request: GatewaySendRequest): Promise<GatewayResponse<T>>;
  /**
   * Posts a SOAP 1.1 envelope with the same credentials, limits and error classes as `send`;
   * a SOAP Fault is a `GatewayPermanentError` (`SOAP_FAULT`) unless `transientSoapFaults` lists it.
   */
  sendSoap(request: GatewaySoapRequest): Promise<GatewaySoapResponse>;
  /** Token requests made so far (for tests and metrics). */
  readonly tokenRequests: number;
  /** Closes idle keep-alive sockets. */
  close(): void;
}
