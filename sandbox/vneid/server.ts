/**
 * Starts the sandbox VNeID identity provider on a plain node:http server (the direct personality's
 * raw `+` in the Location header is written exactly as built), in one of its two personalities.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { urlHost } from '../ports.ts';
import type { Routes, SigningKeys, VneidContext } from './context.ts';
import { directRoutes } from './direct.ts';
import { dvcqgRoutes } from './dvcqg.ts';
import { BodyTooLarge, sendOAuthError } from './http.ts';
import { loginAs } from './login.ts';
import { VneidStore } from './store.ts';
import type { VneidAttack, VneidRequestRecord, VneidSandbox, VneidSandboxOptions } from './types.ts';

const generateRsa = promisify(generateKeyPair);
const MAX_REQUEST_RECORDS = 10_000;
const ATTACKS: ReadonlySet<VneidAttack> = new Set([
  'id_token_foreign_key',
  'id_token_expired',
  'id_token_wrong_nonce',
  'id_token_wrong_audience',
  'userinfo_tampered',
]);

const rsaKeyPair = () => generateRsa('rsa', { modulusLength: 2048 });

async function signingKeys(given: KeyObject | string | undefined): Promise<SigningKeys> {
  let privateKey: KeyObject;
  if (given === undefined) privateKey = (await rsaKeyPair()).privateKey;
  else privateKey = typeof given === 'string' ? createPrivateKey(given) : given;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError('signingKey must be an RSA private key');
  }
  if ((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new TypeError('signingKey must have at least 2048 bits (RS256)');
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicKey, kid, publicJwk: { ...jwk, kid, use: 'sig', alg: 'RS256' } };
}

/**
 * @example
 * const idp = await startVneidSandbox({
 *   personality: 'dvcqg',
 *   citizens: [{ personalId: '079204001234', fullName: 'Nguyễn Văn An', birthDate: '2004-05-06', gender: 'male' }],
 *   clients: [{ clientId: 'edubridge', clientSecret: 's3cret', redirectUris: ['http://127.0.0.1:3000/sso/callback'] }],
 * });
 * const callback = await idp.login(authorizationUrl, '079204001234', 2);
 * await idp.close();
 */
export async function startVneidSandbox(options: VneidSandboxOptions): Promise<VneidSandbox> {
  const { personality } = options;
  if (personality !== 'dvcqg' && personality !== 'vneid-direct') {
    throw new TypeError(`unknown VNeID personality ${String(personality)}`);
  }
  if (options.encryptCode && personality !== 'vneid-direct') {
    throw new TypeError('encryptCode applies to the vneid-direct personality only');
  }
  const store = new VneidStore(personality, options.citizens, options.clients);
  let foreign: Promise<KeyObject> | undefined;
  const ctx: VneidContext = {
    personality,
    store,
    url: '',
    issuer: '',
    codeTtlMs: options.codeTtlMs ?? (personality === 'dvcqg' ? 60_000 : 5_000),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 300,
    encryptCode: options.encryptCode ?? false,
    foreignKey: () => {
      foreign ??= rsaKeyPair().then((pair) => pair.privateKey);
      return foreign;
    },
  };
  if (personality === 'dvcqg') ctx.keys = await signingKeys(options.signingKey);
  const routes: Routes = personality === 'dvcqg' ? dvcqgRoutes(ctx) : directRoutes(ctx);
  const requests: VneidRequestRecord[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, at: Date.now() });
    if (requests.length > MAX_REQUEST_RECORDS) requests.shift();
    const route = routes[url.pathname];
    if (!route) {
      return sendOAuthError(response, 404, { error: 'not_found', vi: 'Không tìm thấy', en: 'Not found' });
    }
    const handler = route[method as 'GET' | 'POST'];
    if (!handler) {
      return sendOAuthError(
        response,
        405,
        { error: 'method_not_allowed', vi: 'Phương thức không được hỗ trợ', en: 'Method not allowed' },
        { allow: Object.keys(route).join(', ') },
      );
    }
    await handler(request, response, url);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof BodyTooLarge) {
        return sendOAuthError(response, 413, {
          error: 'invalid_request',
          vi: 'Nội dung yêu cầu quá lớn',
          en: 'The request body is too large',
        });
      }
      sendOAuthError(response, 500, { error: 'server_error', vi: 'Lỗi máy chủ', en: 'Server error' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  ctx.url = `http://${urlHost(host)}:${port}`;
  ctx.issuer = personality === 'dvcqg' ? `${ctx.url}/oauth2/token` : ctx.url;

  return {
    personality,
    url: ctx.url,
    issuer: ctx.issuer,
    requests,
    setAttack(attack) {
      if (attack !== null && !ATTACKS.has(attack)) throw new TypeError(`unknown attack ${String(attack)}`);
      store.attack = attack;
    },
    addClient(client) {
      store.addClient(client);
    },
    login: loginAs,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
