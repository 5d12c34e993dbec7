/**
 * Direct VNeID's encrypted bodies: `{"data": base64, "key": base64}`. `key` is an AES key encrypted
 * with RSA PKCS#1 v1.5 under the relay's public key; `data` is the JSON, AES-encrypted under it.
 *
 * Node 20.11+ refuses `privateDecrypt` with RSA_PKCS1_PADDING (CVE-2023-46809, the Marvin attack):
 * the RSA step runs with RSA_NO_PADDING and the type-2 padding is checked here, walking every byte
 * whatever their values, and every failure (padding, key length, AES, JSON) ends in the same error.
 */
import { constants, createDecipheriv, type KeyObject, privateDecrypt } from 'node:crypto';
import { SsoRefusal } from '../errors.ts';

export type AesMode = 'ecb' | 'cbc-iv-prefix';

const AES_KEY_LENGTHS = new Set([16, 24, 32]);
// 0x00 0x02, at least eight non-zero padding bytes, then the 0x00 separator.
const MIN_SEPARATOR_INDEX = 10;

const tampered = (cause?: unknown) => new SsoRefusal('upstream_tampered', { cause });

/**
 * RSA PKCS#1 v1.5 (type 2) decryption over a raw RSA operation. Returns the message; throws
 * `SsoRefusal('upstream_tampered')` on any malformed block.
 */
export function rsaPkcs1v15Decrypt(privateKey: KeyObject, ciphertext: Buffer): Buffer {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength;
  if (privateKey.asymmetricKeyType !== 'rsa' || !bits) throw tampered();
  const k = Math.ceil(bits / 8);
  if (ciphertext.length !== k) throw tampered();
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch (cause) {
    throw tampered(cause);
  }
  if (em.length !== k) throw tampered();

  // Branch-free over the block's content: `good` collects every condition as a bit.
  let good = isZero(em[0]!) & isZero(em[1]! ^ 0x02);
  let found = 0;
  let separator = 0;
  for (let i = 2; i < k; i++) {
    const zero = isZero(em[i]!);
    const first = zero & (found ^ 1);
    separator |= -first & i;
    found |= zero;
  }
  good &= found;
  good &= ((MIN_SEPARATOR_INDEX - 1 - separator) >>> 31) & 1; // separator >= MIN_SEPARATOR_INDEX
  if (good !== 1) throw tampered();
  return Buffer.from(em.subarray(separator + 1));
}

/** 1 when `byte` is 0, else 0, without a branch. */
function isZero(byte: number): number {
  return ((byte - 1) >>> 31) & 1;
}

export function aesDecrypt(key: Buffer, data: Buffer, mode: AesMode): Buffer {
  if (!AES_KEY_LENGTHS.has(key.length)) throw tampered();
  const bits = key.length * 8;
  try {
    if (mode === 'ecb') {
      const decipher = createDecipheriv(`aes-${bits}-ecb`, key, null);
      return Buffer.concat([decipher.update(data), decipher.final()]);
    }
    if (data.length < 32) throw new Error('too short for an IV and a block');
    const decipher = createDecipheriv(`aes-${bits}-cbc`, key, data.subarray(0, 16));
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  } catch (cause) {
    throw tampered(cause);
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function base64(value: unknown): Buffer {
  if (typeof value !== 'string') throw tampered();
  const compact = value.replace(/\s/g, '');
  if (compact === '' || !BASE64.test(compact)) throw tampered();
  return Buffer.from(compact, 'base64');
}

/** Opens `{"data","key"}` into the JSON object it carries. */
export function openEnvelope(body: unknown, privateKey: KeyObject, mode: AesMode): Record<string, unknown> {
  if (typeof body !== 'object' || body === null) throw tampered();
  const { data, key } = body as { data?: unknown; key?: unknown };
  const aesKey = rsaPkcs1v15Decrypt(privateKey, base64(key));
  const plain = aesDecrypt(aesKey, base64(data), mode);
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch (cause) {
    throw tampered(cause);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw tampered();
  return parsed as Record<string, unknown>;
}
