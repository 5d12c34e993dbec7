/**
 * The pieces of the relay that read VNeID by hand: the raw callback query, RSA PKCS#1 v1.5 done
 * over RSA_NO_PADDING (Node 20 refuses the padded mode), the AES envelope, and the claim readers.
 */
import {
  constants,
  createCipheriv,
  generateKeyPairSync,
  type KeyObject,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SsoRefusal } from '../src/identity/sso/errors.ts';
import { isoDate, levelOf } from '../src/identity/sso/upstream/claims.ts';
import { citizenFromDirect } from '../src/identity/sso/upstream/direct.ts';
import { citizenFromDvcqg } from '../src/identity/sso/upstream/dvcqg.ts';
import {
  aesDecrypt,
  openEnvelope,
  parseRawQuery,
  rsaPkcs1v15Decrypt,
} from '../src/identity/sso/upstream/index.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const K = 256;

function refusalOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof SsoRefusal) return error.reason;
    throw error;
  }
  return undefined;
}

/** Raw RSA of a block we build ourselves, to hand the decryptor malformed paddings. */
function rawRsa(block: Buffer, key: KeyObject = publicKey): Buffer {
  return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}

/** A k-byte block 0x00 0x02 PS 0x00 M, the padding filling what the message leaves. */
function block(options: { first?: number; type?: number; message: Buffer }): Buffer {
  const ps = Buffer.alloc(K - 3 - options.message.length, 0xa5);
  return Buffer.concat([
    Buffer.from([options.first ?? 0, options.type ?? 2]),
    ps,
    Buffer.from([0]),
    options.message,
  ]);
}

function envelope(json: string, options: { keyBytes?: number; mode?: 'ecb' | 'cbc-iv-prefix' } = {}) {
  const aesKey = randomBytes(options.keyBytes ?? 32);
  const bits = aesKey.length * 8;
  let data: Buffer;
  if (options.mode === 'cbc-iv-prefix') {
    const iv = randomBytes(16);
    const cipher = createCipheriv(`aes-${bits}-cbc`, aesKey, iv);
    data = Buffer.concat([iv, cipher.update(json), cipher.final()]);
  } else {
    const cipher = createCipheriv(`aes-${bits}-ecb`, aesKey, null);
    data = Buffer.concat([cipher.update(json), cipher.final()]);
  }
  const key = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, aesKey);
  return { data: data.toString('base64'), key: key.toString('base64'), aesKey };
}

describe('rsaPkcs1v15Decrypt', () => {
  test('recovers what RSA PKCS#1 v1.5 encrypted (Node still pads on the public side)', () => {
    const secret = randomBytes(32);
    const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, secret);
    expect(rsaPkcs1v15Decrypt(privateKey, ciphertext)).toEqual(secret);
  });

  test('takes the shortest legal padding (eight bytes) and an empty message', () => {
    const message = randomBytes(K - 11);
    expect(rsaPkcs1v15Decrypt(privateKey, rawRsa(block({ message })))).toEqual(message);
    const empty = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(K - 3, 0x11), Buffer.from([0])]);
    expect(rsaPkcs1v15Decrypt(privateKey, rawRsa(empty))).toEqual(Buffer.alloc(0));
  });

  test.each([
    ['a wrong block type', { type: 1, message: Buffer.alloc(16, 1) }],
    ['a non-zero first byte', { first: 1, message: Buffer.alloc(16, 1) }],
  ])('refuses %s as tampered', (_name, spec) => {
    expect(refusalOf(() => rsaPkcs1v15Decrypt(privateKey, rawRsa(block(spec))))).toBe('upstream_tampered');
  });

  test('refuses a padding shorter than eight bytes', () => {
    const em = Buffer.concat([
      Buffer.from([0, 2]),
      Buffer.alloc(7, 0x33),
      Buffer.from([0]),
      Buffer.alloc(K - 10, 0x44),
    ]);
    expect(refusalOf(() => rsaPkcs1v15Decrypt(privateKey, rawRsa(em)))).toBe('upstream_tampered');
  });

  test('refuses a block without the zero separator', () => {
    const em = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(K - 2, 0x5a)]);
    expect(refusalOf(() => rsaPkcs1v15Decrypt(privateKey, rawRsa(em)))).toBe('upstream_tampered');
  });

  test('refuses a ciphertext of the wrong length, or one encrypted for another key', () => {
    expect(refusalOf(() => rsaPkcs1v15Decrypt(privateKey, randomBytes(K - 1)))).toBe('upstream_tampered');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const foreign = publicEncrypt({ key: other, padding: constants.RSA_PKCS1_PADDING }, randomBytes(32));
    expect(refusalOf(() => rsaPkcs1v15Decrypt(privateKey, foreign))).toBe('upstream_tampered');
  });

  test('never throws anything but a refusal for random ciphertexts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: K, maxLength: K }), (bytes) => {
        try {
          rsaPkcs1v15Decrypt(privateKey, Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(SsoRefusal);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('openEnvelope', () => {
  test.each([16, 24, 32])('opens AES-%i-byte ECB envelopes', (keyBytes) => {
    const { data, key } = envelope('{"access_token":"at-1"}', { keyBytes });
    expect(openEnvelope({ data, key }, privateKey, 'ecb')).toEqual({ access_token: 'at-1' });
  });

  test('opens CBC envelopes with the IV in front when so configured', () => {
    const { data, key } = envelope('{"citizenPid":"001085067890"}', { mode: 'cbc-iv-prefix' });
    expect(openEnvelope({ data, key }, privateKey, 'cbc-iv-prefix')).toEqual({ citizenPid: '001085067890' });
  });

  test('refuses flipped data, text that is not JSON, a JSON array and a missing key', () => {
    const good = envelope('{"a":1}');
    const flipped = Buffer.from(good.data, 'base64');
    flipped[flipped.length - 1]! ^= 0xff;
    expect(
      refusalOf(() => openEnvelope({ data: flipped.toString('base64'), key: good.key }, privateKey, 'ecb')),
    ).toBe('upstream_tampered');
    const notJson = envelope('not json at all');
    expect(refusalOf(() => openEnvelope(notJson, privateKey, 'ecb'))).toBe('upstream_tampered');
    expect(refusalOf(() => openEnvelope(envelope('[1,2]'), privateKey, 'ecb'))).toBe('upstream_tampered');
    expect(refusalOf(() => openEnvelope({ data: good.data }, privateKey, 'ecb'))).toBe('upstream_tampered');
    expect(refusalOf(() => openEnvelope('{"data":"x"}', privateKey, 'ecb'))).toBe('upstream_tampered');
  });

  test('refuses an AES key of a length AES does not have', () => {
    expect(refusalOf(() => aesDecrypt(randomBytes(20), randomBytes(32), 'ecb'))).toBe('upstream_tampered');
  });
});

describe('parseRawQuery', () => {
  test('keeps "+" as "+", decodes %2B, and keeps "=" inside values', () => {
    const query = parseRawQuery('code=ab+c/d%2Be==&state=s%20t&encrypt_key=K+k=');
    expect(Object.fromEntries(query)).toEqual({ code: 'ab+c/d+e==', state: 's t', encrypt_key: 'K+k=' });
  });

  test('takes the first of repeated parameters and ignores malformed escapes', () => {
    expect(Object.fromEntries(parseRawQuery('?state=a&state=b&bad=%E0%A4%A&x'))).toEqual({
      state: 'a',
      x: '',
    });
  });

  test('any base64 code comes back unchanged, raw or percent-encoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 96 }), fc.boolean(), (bytes, encode) => {
        const code = Buffer.from(bytes).toString('base64');
        const raw = encode ? encodeURIComponent(code) : code;
        expect(parseRawQuery(`state=x&code=${raw}`).get('code')).toBe(code);
      }),
    );
  });
});

describe('claims', () => {
  test('dates: yyyyMMdd and ISO are read, impossible dates are not', () => {
    expect(isoDate('19880219')).toBe('1988-02-19');
    expect(isoDate('1988-02-19')).toBe('1988-02-19');
    expect(isoDate('19880230')).toBeUndefined();
    expect(isoDate('19/02/1988')).toBeUndefined();
  });

  test('levels: LoA2, "2", 2 and lists', () => {
    expect([levelOf('LoA2'), levelOf('2'), levelOf(2), levelOf(['LoA1', 'LoA2'])]).toEqual([2, 2, 2, 2]);
    expect([levelOf('LoA1'), levelOf('1'), levelOf(1)]).toEqual([1, 1, 1]);
    expect([levelOf('LoA0'), levelOf('high'), levelOf(undefined)]).toEqual([undefined, undefined, undefined]);
  });

  const dvcqg = {
    sub: 'u-1',
    LoaiTaiKhoan: '1',
    SoDinhDanh: '079088012345',
    HoVaTen: 'Trần Thị Bích Ngọc',
    NgayThangNamSinh: '19880219',
    loAs: 'LoA1',
  };

  test('DVCQG: the ID token acr wins over userinfo loAs; the birth date becomes ISO', () => {
    expect(citizenFromDvcqg(dvcqg, { acr: 'LoA2' })).toEqual({
      personalId: '079088012345',
      fullName: 'Trần Thị Bích Ngọc',
      birthDate: '1988-02-19',
      accountLevel: 2,
      upstream: 'dvcqg',
    });
    expect(citizenFromDvcqg(dvcqg, {}).accountLevel).toBe(1);
  });

  test('DVCQG: a business or organisation account is refused, a missing ID number too', () => {
    expect(refusalOf(() => citizenFromDvcqg({ ...dvcqg, LoaiTaiKhoan: '2' }, {}))).toBe('not_citizen');
    expect(refusalOf(() => citizenFromDvcqg({ ...dvcqg, LoaiTaiKhoan: 3 }, {}))).toBe('not_citizen');
    expect(refusalOf(() => citizenFromDvcqg({ ...dvcqg, SoDinhDanh: 79088012345 }, {}))).toBe(
      'claims_invalid',
    );
  });

  test('direct: claim names can be configured', () => {
    const claims = { pid: '001085067890', name: 'Lê Văn Phúc', dob: '19851103', type: 1, level: '2' };
    expect(
      citizenFromDirect(claims, {
        personalId: 'pid',
        fullName: 'name',
        birthDate: 'dob',
        accountType: 'type',
        accountLevel: 'level',
      }),
    ).toEqual({
      personalId: '001085067890',
      fullName: 'Lê Văn Phúc',
      birthDate: '1985-11-03',
      accountLevel: 2,
      upstream: 'vneid-direct',
    });
    expect(
      refusalOf(() => citizenFromDirect({ citizenPid: '001085067890', fullName: 'X', accountType: 2 })),
    ).toBe('not_citizen');
  });
});
