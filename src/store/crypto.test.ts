import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { canonicalJson, contentHash, recordHash } from './content-hash.ts';
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

  test('says each development-key warning once per process on stderr, however often the keyring loads', () => {
    const script = [
      "import { loadKeyring } from './src/store/crypto.ts';",
      'for (let i = 0; i < 3; i++) loadKeyring({});',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    const lines = child.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('DATA_KEYS is not set');
    expect(lines[1]).toContain('BLIND_INDEX_KEY is not set');
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

describe('recordHash', () => {
  // A mapped body comes out of the target's zod schema: its keys take the schema's order whatever
  // order the mapping built them in, which is what lets the ledger hash its JSON as it stands.
  const schema = z.strictObject({
    MaHocSinh: z.string(),
    HoTen: z.string(),
    NgaySinh: z.string().optional(),
  });

  test('is the same for the same content, however the mapping ordered its fields', () => {
    const a = schema.parse({ HoTen: 'Nguyễn Văn An', MaHocSinh: '7912345678', NgaySinh: '05/09/2013' });
    const b = schema.parse({ NgaySinh: '05/09/2013', MaHocSinh: '7912345678', HoTen: 'Nguyễn Văn An' });
    expect(recordHash({ kind: 'HocSinh', record: a }, 'city-edudb/v1')).toBe(
      recordHash({ kind: 'HocSinh', record: b }, 'city-edudb/v1'),
    );
  });

  test('changes with the mapping version and with any value', () => {
    const body = { kind: 'HocSinh', record: schema.parse({ MaHocSinh: '1', HoTen: 'An' }) };
    const base = recordHash(body, 'city-edudb/v1');
    expect(recordHash(body, 'city-edudb/v2')).not.toBe(base);
    expect(recordHash({ ...body, record: { ...body.record, HoTen: 'Ân' } }, 'city-edudb/v1')).not.toBe(base);
    // A different scheme from contentHash's: a ledger row from either is never taken for the other.
    expect(base).not.toBe(contentHash(body, 'city-edudb/v1'));
  });
});
