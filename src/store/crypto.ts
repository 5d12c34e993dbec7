import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { bilingualLine, describeError, type ErrorValues } from '../model/error-catalogue.ts';

// AES-256-GCM with a random 96-bit IV per value (the size GCM is built for); stored as
// iv | tag | ciphertext next to the id of the key, so old rows stay readable after a rotation.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A key or a sealed value that cannot be used; its message is the error catalogue's for `code`. */
export class KeyringError extends Error {
  readonly code: KeyringErrorCode;
  override readonly name = 'KeyringError';
  constructor(code: KeyringErrorCode, values: ErrorValues) {
    super(bilingualLine(describeError(code, values).message));
    this.code = code;
  }
}

export type KeyringErrorCode = 'KEY_INVALID' | 'KEY_MISSING' | 'KEY_UNKNOWN' | 'CIPHER_INVALID';

const invalidKey = (vi: string, en: string) => new KeyringError('KEY_INVALID', { reason: { vi, en } });

export interface Keyring {
  /** The key new values are encrypted under: the first of DATA_KEYS. */
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
  readonly blindIndexKey: Buffer;
  /** True when a key was derived because DATA_KEYS or BLIND_INDEX_KEY was unset. */
  readonly development: boolean;
}

/** The settings this module reads (a structural slice of the hub's `Config`). */
export interface KeyringSettings {
  NODE_ENV?: string | undefined;
  DATA_KEYS?: string | undefined;
  BLIND_INDEX_KEY?: string | undefined;
}

/** The id of the key derived when DATA_KEYS is unset; never valid in production. */
export const DEVELOPMENT_KEY_ID = 'dev-insecure';

function decodeKey(base64: string, name: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== base64.replace(/\s/g, '')) {
    throw invalidKey(
      `${name} phải là base64 của đúng ${KEY_BYTES} byte`,
      `${name} must be base64 of exactly ${KEY_BYTES} bytes`,
    );
  }
  return key;
}

/** Parses `id:base64,id:base64…`; the first entry is the current key. */
export function parseDataKeys(value: string): Array<{ id: string; key: Buffer }> {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw invalidKey('DATA_KEYS không có khoá nào', 'DATA_KEYS lists no key');
  const seen = new Set<string>();
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    if (colon < 1 || !/^[A-Za-z0-9_.-]+$/.test(id)) {
      throw invalidKey(
        'mỗi mục của DATA_KEYS có dạng id:base64',
        'DATA_KEYS entries must look like id:base64',
      );
    }
    if (seen.has(id)) {
      throw invalidKey(`DATA_KEYS có mã khoá "${id}" hai lần`, `DATA_KEYS lists key id "${id}" twice`);
    }
    seen.add(id);
    return { id, key: decodeKey(entry.slice(colon + 1), `DATA_KEYS key "${id}"`) };
  });
}

function developmentKey(purpose: string): Buffer {
  // Deterministic so a PGLITE_DIR survives restarts; public, so worthless as protection.
  return createHash('sha256').update(`edubridge development-only ${purpose} key, not secret`).digest();
}

/** Development-key warnings already printed: a process that loads the keyring again says it once. */
const warnedOnStderr = new Set<string>();
const warnOnStderrOnce = (message: string) => {
  if (warnedOnStderr.has(message)) return;
  warnedOnStderr.add(message);
  process.stderr.write(`${message}\n`);
};

/**
 * Builds the keyring from configuration. In development and test an unset variable gets a
 * clearly-labelled derived key and a warning; production refuses (the config schema stops it first).
 */
export function loadKeyring(
  settings: KeyringSettings,
  warn: (message: string) => void = warnOnStderrOnce,
): Keyring {
  const production = settings.NODE_ENV === 'production';
  let development = false;
  const missing = (name: string) => {
    if (production) {
      throw new KeyringError('KEY_MISSING', { name });
    }
    development = true;
    warn(
      `Cảnh báo / Warning: ${name} is not set; using a public development key. Never use it for real data.`,
    );
  };

  let keys: Array<{ id: string; key: Buffer }>;
  if (settings.DATA_KEYS) keys = parseDataKeys(settings.DATA_KEYS);
  else {
    missing('DATA_KEYS');
    keys = [{ id: DEVELOPMENT_KEY_ID, key: developmentKey('data') }];
  }
  let blindIndexKey: Buffer;
  if (settings.BLIND_INDEX_KEY) blindIndexKey = decodeKey(settings.BLIND_INDEX_KEY, 'BLIND_INDEX_KEY');
  else {
    missing('BLIND_INDEX_KEY');
    blindIndexKey = developmentKey('blind index');
  }
  return {
    currentKeyId: keys[0]!.id,
    keys: new Map(keys.map((k) => [k.id, k.key])),
    blindIndexKey,
    development,
  };
}

/** A new line for DATA_KEYS: `id:base64(32 random bytes)`. */
export function generateDataKey(
  id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`,
): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** Same spelling, same index: the blind index sees digits only. */
export function normalisePersonalId(personalId: string): string {
  return personalId.normalize('NFKC').replace(/\s/g, '');
}

export interface EncryptedValue {
  cipher: Buffer;
  keyId: string;
}

/**
 * Random IVs drawn from the system's CSPRNG a few thousand at a time: one `randomBytes` call per
 * value cost about 5 µs here (a system call each), as much as the encryption itself, and a first
 * sync encrypts several values per student. Pooled bytes are as random; each is used once.
 */
const IV_POOL_BYTES = IV_BYTES * 4096;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function freshIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/**
 * AES-256-GCM under the current data key, as `iv | tag | ciphertext` in one buffer: the one scheme
 * of every encrypted column and sealed document.
 */
export function encryptBytes(keyring: Keyring, plaintext: string | Buffer): EncryptedValue {
  const key = keyring.keys.get(keyring.currentKeyId)!;
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  const last = cipher.final();
  const out = Buffer.allocUnsafe(IV_BYTES + TAG_BYTES + body.length + last.length);
  iv.copy(out, 0);
  cipher.getAuthTag().copy(out, IV_BYTES);
  body.copy(out, IV_BYTES + TAG_BYTES);
  last.copy(out, IV_BYTES + TAG_BYTES + body.length);
  return { cipher: out, keyId: keyring.currentKeyId };
}

/**
 * Decrypts `iv | tag | ciphertext` under whichever known key `keyId` names; throws on an unknown
 * key or a tampered value (never with the value in the message).
 */
export function decryptBytes(keyring: Keyring, value: EncryptedValue, what = 'Encrypted value'): Buffer {
  const key = keyring.keys.get(value.keyId);
  if (!key) {
    throw new KeyringError('KEY_UNKNOWN', { key: value.keyId });
  }
  if (value.cipher.length < IV_BYTES + TAG_BYTES) {
    throw new KeyringError('CIPHER_INVALID', { what, reason: { vi: 'quá ngắn', en: 'it is too short' } });
  }
  const decipher = createDecipheriv('aes-256-gcm', key, value.cipher.subarray(0, IV_BYTES));
  decipher.setAuthTag(value.cipher.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(value.cipher.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new KeyringError('CIPHER_INVALID', {
      what,
      reason: {
        vi: 'không qua xác thực (bị sửa hoặc sai khoá)',
        en: 'it failed authentication (tampered or wrong key)',
      },
    });
  }
}

export function encryptPersonalId(keyring: Keyring, personalId: string): EncryptedValue {
  return encryptBytes(keyring, normalisePersonalId(personalId));
}

/** Decrypts under whichever known key `keyId` names; throws on an unknown key or a tampered value. */
export function decryptPersonalId(keyring: Keyring, value: EncryptedValue): string {
  // Never include the value in an error: it is, or was, a national ID number.
  return decryptBytes(keyring, value).toString('utf8');
}

/**
 * The key of `refusedInputHash`: derived from the blind-index key, not that key itself, so that the
 * hash of a personal ID in the audit log never equals its blind index in the persons table (the log
 * cannot be joined to the people by it), while whoever holds the keyring can still derive it.
 */
const refusedInputKeys = new WeakMap<Keyring, Buffer>();
function refusedInputKey(keyring: Keyring): Buffer {
  let key = refusedInputKeys.get(keyring);
  if (!key) {
    key = createHmac('sha256', keyring.blindIndexKey).update('edubridge audit refused-input v1').digest();
    refusedInputKeys.set(keyring, key);
  }
  return key;
}

/**
 * What the audit log keeps of an input the hub refused, in place of its text: a keyed hash,
 * `hmac-sha256:` and 32 hex digits (128 bits). Keyed because a refused input may be a personal ID
 * typed in the wrong field, and the 10^12 twelve-digit IDs are too few for a plain hash to hide one.
 * The same input always gives the same hash, so repeated attempts can be counted, and a suspected
 * value checked by someone holding the keys. The value is hashed exactly as given (no trimming).
 *
 * @example
 * refusedInputHash(keyring, '079088012345') // 'hmac-sha256:3f0c…' (32 hex digits)
 */
export function refusedInputHash(keyring: Keyring, value: string): string {
  const digest = createHmac('sha256', refusedInputKey(keyring)).update(value, 'utf8').digest('hex');
  return `hmac-sha256:${digest.slice(0, 32)}`;
}

/** HMAC-SHA256 of the normalised ID: equal IDs give equal indexes, without the ID being readable. */
export function blindIndex(keyring: Keyring, personalId: string): Buffer {
  return createHmac('sha256', keyring.blindIndexKey).update(normalisePersonalId(personalId), 'utf8').digest();
}

const factKeys = new WeakMap<Keyring, Buffer>();
function factKey(keyring: Keyring): Buffer {
  let key = factKeys.get(keyring);
  if (!key) {
    key = createHmac('sha256', keyring.blindIndexKey).update('edubridge education facts v1').digest();
    factKeys.set(keyring, key);
  }
  return key;
}

/**
 * What the education reports keep of a record key or a student code: a keyed hash, 32 hex digits.
 * Keys such as `smas:HS-000123` carry the sector's student code, which names a child; the reports
 * only need to tell records apart and group a student's results, which equal hashes do. A key of
 * its own (derived from the blind-index key) so these hashes cannot be joined to the audit's.
 *
 * @example
 * factHash(keyring, 'sandbox-school:student-HS0001') // '9b1c…' (32 hex digits)
 */
export function factHash(keyring: Keyring, value: string): string {
  return createHmac('sha256', factKey(keyring)).update(value, 'utf8').digest('hex').slice(0, 32);
}
