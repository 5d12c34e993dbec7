/**
 * Sealing a JSON document under the current data key (AES-256-GCM, the scheme of the personal ID
 * column): for staged batches and anything else that must hold personal data at rest.
 */
import { decryptBytes, encryptBytes, type Keyring, KeyringError } from './crypto.ts';

export interface Sealed {
  payload: Buffer;
  keyId: string;
}

export function seal(keyring: Keyring, value: unknown): Sealed {
  const { cipher, keyId } = encryptBytes(keyring, JSON.stringify(value));
  return { payload: cipher, keyId };
}

export function unseal<T>(keyring: Keyring, sealed: Sealed): T {
  const text = decryptBytes(
    keyring,
    { cipher: sealed.payload, keyId: sealed.keyId },
    'Sealed value',
  ).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new KeyringError('CIPHER_INVALID', {
      what: 'Sealed value',
      reason: { vi: 'không phải tài liệu JSON', en: 'it is not a JSON document' },
    });
  }
}
