/**
 * The cryptography of the two personalities: the direct VNeID `{"data","key"}` envelope (RSA
 * PKCS#1 v1.5 around an AES-256-ECB key, per the VNeID sample code quoted by
 * `ospgroupvn/vneid-keycloak-extensions`), base64 codes that carry `+` and `/`, PKCE, and the
 * stable subject identifiers.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  type KeyObject,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** AES-256-ECB with PKCS#7 padding (Java's "AES" = AES/ECB/PKCS5Padding). */
export function aesEcbEncrypt(plain: Buffer, key: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ecb', key, null);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

/** The inverse of {@link aesEcbEncrypt}; throws on a bad padding. */
export function aesEcbDecrypt(data: Buffer, key: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-ecb', key, null);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** RSA/ECB/PKCS1Padding encryption with the relying party's public key. */
export function rsaPkcs1Encrypt(publicKey: KeyObject, data: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, data);
}

/** Reads an SPKI (or PKCS#1) PEM and insists on RSA. */
export function rsaPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('publicKeyPem must be an RSA public key');
  return key;
}

export interface VneidEnvelope {
  data: string;
  key: string;
}

/** Seals a JSON value the way direct VNeID answers token and userinfo calls, with a fresh AES key. */
export function sealEnvelope(
  value: unknown,
  publicKey: KeyObject,
): { envelope: VneidEnvelope; aesKey: Buffer } {
  const aesKey = randomBytes(32);
  const data = aesEcbEncrypt(Buffer.from(JSON.stringify(value), 'utf8'), aesKey);
  return {
    envelope: { data: data.toString('base64'), key: rsaPkcs1Encrypt(publicKey, aesKey).toString('base64') },
    aesKey,
  };
}

/**
 * Replaces bytes of the envelope's `data` (the length stays) until it no longer decrypts to JSON:
 * the first block (ECB garbles just that block) and the last (the padding breaks). The check
 * against the key makes the outcome certain rather than merely likely.
 */
export function tamperEnvelope(envelope: VneidEnvelope, aesKey: Buffer): VneidEnvelope {
  const data = Buffer.from(envelope.data, 'base64');
  for (;;) {
    randomBytes(16).copy(data, 0);
    randomBytes(16).copy(data, data.length - 16);
    try {
      JSON.parse(aesEcbDecrypt(data, aesKey).toString('utf8'));
    } catch {
      return { data: data.toString('base64'), key: envelope.key };
    }
  }
}

/**
 * A base64 code of 32 random bytes (so it ends with `=`) drawn until it holds both `+` and `/`:
 * every code tests that the relying party reads the raw query, never a decoded `+` as a space.
 */
export function randomBase64Code(): string {
  for (;;) {
    const code = randomBytes(32).toString('base64');
    if (code.includes('+') && code.includes('/')) return code;
  }
}

/**
 * The encrypted form of a code: base64(AES-256-ECB(UTF-8 of the plain code, aesKey)), drawn until it
 * holds a `+`, and `encrypt_key` = base64(RSA-PKCS#1 v1.5(aesKey)).
 */
export function encryptCode(plainCode: string, publicKey: KeyObject): { code: string; encryptKey: string } {
  for (;;) {
    const aesKey = randomBytes(32);
    const code = aesEcbEncrypt(Buffer.from(plainCode, 'utf8'), aesKey).toString('base64');
    if (code.includes('+')) {
      return { code, encryptKey: rsaPkcs1Encrypt(publicKey, aesKey).toString('base64') };
    }
  }
}

export const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceS256 = (verifier: string) =>
  base64url(createHash('sha256').update(verifier, 'ascii').digest());

/** OIDC Core §3.1.3.6: the left half of SHA-256 of the access token, base64url. */
export const atHash = (accessToken: string) =>
  base64url(createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16));

/** A constant-time comparison of two strings. */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SANDBOX_NAMESPACE = Buffer.from('6f1d6c7a2b4e4c0e9a3d5b8f7e2c1a90', 'hex');

/**
 * RFC 9562 version 5 UUID of `name` in the sandbox's namespace: the same citizen gets the same `sub`
 * and `TechID` on every run. (Derived from the ID number, so it hides nothing from someone who
 * knows the namespace: fine for made-up citizens, which is all the sandbox holds.)
 */
export function stableUuid(name: string): string {
  const hash = createHash('sha1').update(SANDBOX_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** OIDC Session Management `session_state` as WSO2 IS computes it: sha256(client origin opbs salt).salt */
export function sessionState(clientId: string, redirectUri: string, browserState: string): string {
  const salt = randomBytes(8).toString('hex');
  const origin = new URL(redirectUri).origin;
  const digest = createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('hex');
  return `${digest}.${salt}`;
}
