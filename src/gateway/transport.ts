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

export type TransportFailureKind = 'timeout' | 'network' | 'too_large';

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
    request.on('error', (cause) => fail(new TransportFailure('network', cause.message, { cause })));
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
