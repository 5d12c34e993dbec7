/**
 * Mutual TLS for real, not just the options read: certificates made at test time with the openssl
 * CLI (a CA; the gateway's certificate for 127.0.0.1; the hub's client certificate; a second CA
 * with a client and a gateway certificate of its own), the sandbox WSO2 gateway listening on https
 * and asking for a client certificate, and the gateway client on the other end of the handshake.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { echoHandler, type LgspGateway, startLgspGateway } from '../sandbox/lgsp/index.ts';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayRetryableError,
  type GatewayTlsFiles,
} from '../src/gateway/index.ts';

const WSO2 = { consumerKey: 'edubridge-ck-7f3a', consumerSecret: 'cs-9b21-e4d0' };
const HUB_CN = 'edubridge.hcm.edu.vn';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

let dir: string;
const file = (name: string) => join(dir, name);
const pem = (name: string) => readFileSync(file(name));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
let serial = 4096;

function makeCa(name: string, cn: string): void {
  openssl(
    'req',
    '-x509',
    '-config',
    'openssl.cnf',
    '-extensions',
    'ca_ext',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
  );
}

function makeLeaf(name: string, cn: string, ca: string, extensions: 'server_ext' | 'client_ext'): void {
  openssl(
    'req',
    '-new',
    '-config',
    'openssl.cnf',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    String(serial++),
    '-days',
    '2',
    '-extfile',
    'openssl.cnf',
    '-extensions',
    extensions,
    '-out',
    `${name}.crt`,
  );
}

beforeAll(() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'the openssl CLI is missing: these tests make their certificates with it (Node has no X.509 writer)',
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'edubridge-mtls-'));
  writeFileSync(file('openssl.cnf'), OPENSSL_CONFIG);
  makeCa('ca', 'LGSP Test CA');
  makeLeaf('gateway', '127.0.0.1', 'ca', 'server_ext');
  makeLeaf('hub', HUB_CN, 'ca', 'client_ext');
  makeCa('other-ca', 'Other Test CA');
  makeLeaf('stranger', 'stranger.example.vn', 'other-ca', 'client_ext');
  makeLeaf('impostor', '127.0.0.1', 'other-ca', 'server_ext');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let gateways: LgspGateway[] = [];
let clients: GatewayClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(gateways.map((g) => g.close()));
  gateways = [];
  clients = [];
});

/** The sandbox WSO2 gateway on https, asking for a certificate the test CA signed. */
async function mtlsGateway(serverCert: 'gateway' | 'impostor' = 'gateway'): Promise<LgspGateway> {
  const gateway = await startLgspGateway({
    personality: 'wso2',
    credentials: WSO2,
    routes: { 'csdl-nganh': echoHandler },
    tls: {
      cert: pem(`${serverCert}.crt`),
      key: pem(`${serverCert}.key`),
      ca: pem('ca.crt'),
      requestCert: true,
    },
  });
  gateways.push(gateway);
  return gateway;
}

function client(baseUrl: string, tls: GatewayTlsFiles): GatewayClient {
  const c = createGatewayClient({
    personality: 'wso2',
    target: 'city-edudb',
    baseUrl,
    timeoutMs: 5_000,
    wso2: WSO2,
    tls,
  });
  clients.push(c);
  return c;
}

const call = {
  service: 'csdl-nganh',
  operation: 'hoc-sinh',
  body: [{ maHocSinh: '7901234567', hoTen: 'Nguyễn Văn An' }],
  idempotencyKey: 'batch-79000701-2025-hs-1',
  correlationId: 'run-mtls',
};

async function failure(promise: Promise<unknown>): Promise<GatewayRetryableError> {
  try {
    await promise;
  } catch (error) {
    return error as GatewayRetryableError;
  }
  throw new Error('expected the call to fail');
}

/** The Node error under the gateway error and its TransportFailure. */
const rootCause = (error: Error) => (error.cause as Error | undefined)?.cause as NodeJS.ErrnoException;

describe('mutual TLS against an https gateway that asks for a client certificate', () => {
  it('a call with the hub’s certificate gets through, and the gateway sees who called', async () => {
    const gateway = await mtlsGateway();
    expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const hub = client(gateway.url, {
      certFile: file('hub.crt'),
      keyFile: file('hub.key'),
      caFile: file('ca.crt'),
    });

    const reply = await hub.send(call);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      idempotencyKey: 'batch-79000701-2025-hs-1',
      results: [{ index: 0, status: 'accepted' }],
    });
    // The token came over the same mutual TLS: a client-credentials token, then the business call.
    expect(gateway.record.tokenRequests).toBe(1);
    expect(gateway.record.received).toHaveLength(1);
    expect(gateway.record.received[0]!.clientCertificateCN).toBe(HUB_CN);
  });

  it('a hub with no client certificate is refused at the handshake', async () => {
    const gateway = await mtlsGateway();
    // GatewayTlsFiles cannot say "trust this CA, present no certificate", so the hub runs in a
    // child process that trusts the test CA as it would a public one (NODE_EXTRA_CA_CERTS), with
    // no `tls` option at all: the operator who forgot to configure the client certificate.
    const probe = file('probe.mjs');
    writeFileSync(
      probe,
      `import { createGatewayClient } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/gateway/index.ts')).href)};
const client = createGatewayClient({ personality: 'wso2', target: 'city-edudb', baseUrl: process.argv[2],
  timeoutMs: 5000, wso2: ${JSON.stringify(WSO2)} });
try {
  await client.send(${JSON.stringify(call)});
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, retryable: error.retryable,
    cause: error.cause?.cause?.code }));
} finally {
  client.close();
}
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, gateway.url], {
      cwd: ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: file('ca.crt') },
    });

    const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!);

    // TLS 1.3: the gateway answers the missing certificate with alert 116, certificate_required.
    // Retrying with the same (missing) certificate cannot succeed: a permanent error that names it.
    expect(outcome).toEqual({
      name: 'GatewayPermanentError',
      code: 'TLS_CLIENT_CERT_REFUSED',
      retryable: false,
      cause: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    expect(gateway.record.tokenRequests).toBe(0);
    expect(gateway.record.calls).toBe(0);
  });

  it('a client certificate another CA signed is refused', async () => {
    const gateway = await mtlsGateway();
    const stranger = client(gateway.url, {
      certFile: file('stranger.crt'),
      keyFile: file('stranger.key'),
      caFile: file('ca.crt'),
    });

    const error = await failure(stranger.send(call));

    expect(error.name).toBe('GatewayRetryableError');
    expect(error.code).toBe('UNREACHABLE');
    // Node's TLS server checks the client's chain after the handshake and drops the socket without
    // an alert, so the client sees a reset; a gateway that sends unknown_ca would show that alert.
    expect(['ECONNRESET', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA']).toContain(rootCause(error).code);
    expect(gateway.record.tokenRequests).toBe(0);
    expect(gateway.record.calls).toBe(0);
  });

  it('a gateway certificate the hub’s CA did not sign is refused by the hub', async () => {
    const gateway = await mtlsGateway('impostor');
    const hub = client(gateway.url, {
      certFile: file('hub.crt'),
      keyFile: file('hub.key'),
      caFile: file('ca.crt'),
    });

    const error = await failure(hub.send(call));

    expect(error.name).toBe('GatewayPermanentError');
    expect(error.code).toBe('TLS_SERVER_CERT_UNTRUSTED');
    expect(rootCause(error).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(gateway.record.tokenRequests).toBe(0);
    expect(gateway.record.calls).toBe(0);
  });
});
