/**
 * Mutual TLS from files: the client certificate the government gateway issued to the hub, its key,
 * and the CA bundle that signed the gateway's certificate. Read once, at start-up, so a missing file
 * stops the hub before the first sync rather than during it.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { GatewayTlsFiles } from './types.ts';

export function buildTlsOptions(files: GatewayTlsFiles): https.AgentOptions {
  return {
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    ...(files.caFile ? { ca: readFileSync(files.caFile) } : {}),
    ...(files.passphrase ? { passphrase: files.passphrase } : {}),
    keepAlive: true,
  };
}

/** The agent a client sends through: https with the client certificate when `tls` is given. */
export function buildAgent(baseUrl: string, tls: GatewayTlsFiles | undefined): http.Agent {
  if (tls) return new https.Agent(buildTlsOptions(tls));
  return new URL(baseUrl).protocol === 'https:'
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });
}
