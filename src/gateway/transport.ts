/**
 * One HTTP exchange over node:http(s): a deadline over the whole exchange, reading stopped at a
 * size limit, and an agent that may carry a client certificate. Failures come out as
 * `TransportFailure` and are classified by the caller.
 */
import http from 'node:http';
import https from 'node:https';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type TransportFailureKind = 'timeout' | 'network' | 'too_large' | 'tls_refused';

/**
 * Certificate failures that retrying cannot fix: ours refusing the gateway's certificate (OpenSSL's
 * verify codes, and Node's name check), or the gateway refusing ours with a TLS alert (bad or
 * missing certificate, unknown CA, access denied). A reset without an alert stays `network`: it
 * cannot be told from a network fault.
 */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const REFUSING_ALERT =
  /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|UNKNOWN_CA|ACCESS_DENIED)$/;

export function isCertificateRefusal(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && (CERTIFICATE_CODES.has(code) || REFUSING_ALERT.test(code));
}

export class TransportFailure extends Error {
  readonly kind: TransportFailureKind;
  constructor(kind: TransportFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'TransportFailure';
  }
}

export interface TransmitOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  agent: http.Agent;
}

export function transmit(url: URL, options: TransmitOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    let settled = false;
    const fail = (failure: TransportFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(failure);
      request.destroy(failure);
    };
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = lib.request(url, { method: options.method, headers, agent: options.agent });
    const timer = setTimeout(
      () => fail(new TransportFailure('timeout', `no complete answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const tooLarge = () =>
      new TransportFailure('too_large', `answer larger than ${options.maxResponseBytes} bytes`);
    request.on('error', (cause) =>
      fail(
        new TransportFailure(isCertificateRefusal(cause) ? 'tls_refused' : 'network', cause.message, {
          cause,
        }),
      ),
    );
    request.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      // Settled before the socket is torn down, so a teardown error cannot pass for the cause.
      if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
        fail(tooLarge());
        response.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          fail(tooLarge());
          response.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (cause) => fail(new TransportFailure('network', cause.message, { cause })));
      response.on('aborted', () => fail(new TransportFailure('network', 'answer broke off')));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
      });
    });
    request.end(options.body);
  });
}
