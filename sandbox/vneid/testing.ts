/**
 * Helpers for tests that play the relying party of the direct personality: an RSA key pair, raw
 * RSA decryption with the PKCS#1 v1.5 padding stripped by hand, opening `{"data","key"}`
 * envelopes, decrypting an encrypted code, and reading the raw callback query.
 *
 * Why by hand: Node 20.11+ refuses `privateDecrypt` with RSA_PKCS1_PADDING (Marvin attack,
 * CVE-2023-46809). The padding check below is not constant-time, so it belongs in tests only.
 */
import { constants, generateKeyPair, type KeyObject, privateDecrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { aesEcbDecrypt, type VneidEnvelope } from './crypto.ts';

export { aesEcbDecrypt, type VneidEnvelope } from './crypto.ts';

const generateRsa = promisify(generateKeyPair);

export interface RelyingPartyKeys {
  /** SPKI PEM, for `VneidClient.publicKeyPem`. */
  publicKeyPem: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  privateKey: KeyObject;
}

/** A 2048-bit RSA key pair for a test relying party. */
export async function generateRelyingPartyKeys(): Promise<RelyingPartyKeys> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    privateKey,
  };
}

/**
 * RSA/ECB/PKCS1Padding decryption done as raw RSA: EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖
 * 0x00 ‖ M (RFC 8017 §7.2.2). Throws when the block is not a type-2 padding.
 *
 * @example
 * const aesKey = rsaPkcs1v15Decrypt(keys.privateKey, Buffer.from(envelope.key, 'base64'));
 */
export function rsaPkcs1v15Decrypt(privateKey: KeyObject | string, ciphertext: Buffer): Buffer {
  const em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) throw new Error('RSA PKCS#1 v1.5: bad padding');
  const separator = em.indexOf(0x00, 2);
  if (separator < 10) throw new Error('RSA PKCS#1 v1.5: bad padding');
  return em.subarray(separator + 1);
}

/** Opens a direct-VNeID `{"data","key"}` body (object or JSON text) and parses the JSON inside. */
export function openEnvelope<T = Record<string, unknown>>(
  body: VneidEnvelope | string,
  privateKey: KeyObject | string,
): T {
  const envelope: VneidEnvelope = typeof body === 'string' ? JSON.parse(body) : body;
  const aesKey = rsaPkcs1v15Decrypt(privateKey, Buffer.from(envelope.key, 'base64'));
  if (aesKey.length !== 32) throw new Error(`the AES key is ${aesKey.length} bytes, not 32`);
  return JSON.parse(aesEcbDecrypt(Buffer.from(envelope.data, 'base64'), aesKey).toString('utf8')) as T;
}

/** The plain code inside an encrypted one, with `encrypt_key` from the same callback. */
export function decryptCode(code: string, encryptKey: string, privateKey: KeyObject | string): string {
  const aesKey = rsaPkcs1v15Decrypt(privateKey, Buffer.from(encryptKey, 'base64'));
  return aesEcbDecrypt(Buffer.from(code, 'base64'), aesKey).toString('utf8');
}

/**
 * A query parameter read from the raw query, a `+` kept as `+` (not a space) and `%xx` decoded:
 * how a relying party must read the direct personality's callback.
 *
 * @example
 * rawQueryParam('https://rp/cb?code=ab+c/d=&state=x', 'code') // → 'ab+c/d='
 */
export function rawQueryParam(url: string, name: string): string | undefined {
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  const end = url.indexOf('#', start);
  const query = url.slice(start + 1, end < 0 ? undefined : end);
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    if (key === name) return eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
  }
  return undefined;
}
