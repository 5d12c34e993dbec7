import { describe, expect, test } from 'vitest';
import { canonicalJson, contentHash } from './content-hash.ts';
import {
  blindIndex,
  DEVELOPMENT_KEY_ID,
  decryptPersonalId,
  encryptPersonalId,
  generateDataKey,
  KeyringError,
  loadKeyring,
} from './crypto.ts';

const silent = () => {};
const BLIND = Buffer.alloc(32, 7).toString('base64');
const ring = (dataKeys: string) => loadKeyring({ DATA_KEYS: dataKeys, BLIND_INDEX_KEY: BLIND }, silent);

describe('personal ID encryption', () => {
  const k1 = generateDataKey('k1');
  const k2 = generateDataKey('k2');

  test('round-trips under the current key and records its id', () => {
    const keyring = ring(`${k1},${k2}`);
    const value = encryptPersonalId(keyring, '079203001234');
    expect(value.keyId).toBe('k1');
    expect(value.cipher.length).toBe(12 + 16 + 12);
    expect(decryptPersonalId(keyring, value)).toBe('079203001234');
  });

  test('uses a fresh IV each time', () => {
    const keyring = ring(k1);
    const a = encryptPersonalId(keyring, '079203001234').cipher;
    const b = encryptPersonalId(keyring, '079203001234').cipher;
    expect(a.equals(b)).toBe(false);
  });

  test('refuses a tampered ciphertext', () => {
    const keyring = ring(k1);
    const value = encryptPersonalId(keyring, '079203001234');
    value.cipher[value.cipher.length - 1]! ^= 1;
    expect(() => decryptPersonalId(keyring, value)).toThrow(KeyringError);
  });

  test('decrypts a value written under an older key that is still listed', () => {
    const old = encryptPersonalId(ring(k2), '001099000001');
    expect(decryptPersonalId(ring(`${k1},${k2}`), old)).toBe('001099000001');
  });

  test('names an unknown key id without revealing the value', () => {
    const old = encryptPersonalId(ring(k2), '001099000001');
    expect(() => decryptPersonalId(ring(k1), old)).toThrow('No key with id "k2"');
  });

  test('blind index is equal for equal IDs, different for different ones, and ignores spaces', () => {
    const keyring = ring(k1);
    expect(blindIndex(keyring, '079 203 001 234').equals(blindIndex(keyring, '079203001234'))).toBe(true);
    expect(blindIndex(keyring, '079203001235').equals(blindIndex(keyring, '079203001234'))).toBe(false);
  });

  test('derives a labelled development key and warns when nothing is set outside production', () => {
    const warnings: string[] = [];
    const keyring = loadKeyring({ NODE_ENV: 'test' }, (m) => warnings.push(m));
    expect(keyring.currentKeyId).toBe(DEVELOPMENT_KEY_ID);
    expect(keyring.development).toBe(true);
    expect(warnings.join('\n')).toMatch(/DATA_KEYS[\s\S]*BLIND_INDEX_KEY/);
  });

  test('refuses to run in production without keys', () => {
    expect(() => loadKeyring({ NODE_ENV: 'production', BLIND_INDEX_KEY: BLIND }, silent)).toThrow(
      'DATA_KEYS must be set when NODE_ENV=production',
    );
  });

  test('rejects a key that is not 32 bytes', () => {
    expect(() => ring(`k1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/exactly 32 bytes/);
  });
});

describe('contentHash', () => {
  test('ignores key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(contentHash({ b: 1, a: 2 }, 'v1')).toBe(contentHash({ a: 2, b: 1 }, 'v1'));
  });

  test('changes with the schema version and with any value', () => {
    const base = contentHash({ a: 1 }, 'v1');
    expect(contentHash({ a: 1 }, 'v2')).not.toBe(base);
    expect(contentHash({ a: 2 }, 'v1')).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  test('drops undefined fields and writes dates as ISO text', () => {
    expect(canonicalJson({ a: undefined, d: new Date('2025-09-05T00:00:00Z') })).toBe(
      '{"d":"2025-09-05T00:00:00.000Z"}',
    );
  });
});
