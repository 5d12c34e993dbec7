/**
 * Sealing a JSON document under the current data key (AES-256-GCM, the scheme of the personal ID
 * column): for staged batches and anything else that must hold personal data at rest.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Keyring, KeyringError } from './crypto.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  payload: Buffer;
  keyId: string;
}

export function seal(keyring: Keyring, value: unknown): Sealed {
  const key = keyring.keys.get(keyring.currentKeyId)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { payload: Buffer.concat([iv, cipher.getAuthTag(), body]), keyId: keyring.currentKeyId };
}

export function unseal<T>(keyring: Keyring, sealed: Sealed): T {
  const key = keyring.keys.get(sealed.keyId);
  if (!key) throw new KeyringError('KEY_UNKNOWN', `No key with id "${sealed.keyId}" in DATA_KEYS`);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.payload.subarray(0, IV_BYTES));
  decipher.setAuthTag(sealed.payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    const text = Buffer.concat([
      decipher.update(sealed.payload.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(text) as T;
  } catch {
    throw new KeyringError('CIPHER_INVALID', 'Sealed value failed authentication (tampered or wrong key)');
  }
}
