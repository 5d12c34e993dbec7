import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseAdapterConfig, redactConfig, secret, secretFields } from './config.ts';
import { RecordError } from './errors.ts';
import { byCursor, byNextLink, byOffset, byPageNumber, nextLinkFromHeader } from './paginate.ts';
import { atPointer, codeList, fold, genderCode, matchHeader, parseDate } from './transforms.ts';

describe('fold and matchHeader', () => {
  it('folds case, diacritics, đ and punctuation', () => {
    expect(fold('  Số định danh  cá nhân ')).toBe('so dinh danh ca nhan');
    expect(fold('ĐTB môn (HK I)')).toBe('dtb mon hk i');
  });

  it('matches a header by any alias, in any case and with or without diacritics', () => {
    const aliases = {
      personalId: ['Số định danh cá nhân', 'Mã định danh', 'CCCD'],
      fullName: ['Họ và tên', 'Họ tên'],
    };
    expect(matchHeader('SO DINH DANH CA NHAN', aliases)).toBe('personalId');
    expect(matchHeader('Số CCCD', aliases)).toBeUndefined();
    expect(matchHeader('cccd', aliases)).toBe('personalId');
    expect(matchHeader('HỌ TÊN', aliases)).toBe('fullName');
    expect(matchHeader('', aliases)).toBeUndefined();
  });
});

describe('parseDate', () => {
  it.each([
    ['05/09/2013', '2013-09-05'],
    ['5/9/2013', '2013-09-05'],
    ['05-09-2013', '2013-09-05'],
    ['2013-09-05', '2013-09-05'],
    ['20130905', '2013-09-05'],
    ['2013-09-05T00:00:00+07:00', '2013-09-05'],
    [41522, '2013-09-05'],
    ['41522', '2013-09-05'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseDate(input, { field: 'birthDate' })).toBe(expected);
  });

  it('rejects a day that does not exist, naming field and place but not the value', () => {
    const error = (() => {
      try {
        parseDate('31/02/2013', { field: 'birthDate', location: 'HocSinh.xlsx!Sheet1 row 12 col D' });
      } catch (e) {
        return e as RecordError;
      }
    })();
    expect(error).toBeInstanceOf(RecordError);
    expect(error).toMatchObject({
      code: 'DATE_UNPARSEABLE',
      field: 'birthDate',
      location: 'HocSinh.xlsx!Sheet1 row 12 col D',
    });
    expect(error?.message).not.toContain('31/02');
  });

  it('says a missing date is missing', () => {
    expect(() => parseDate('', { field: 'birthDate' })).toThrow(
      expect.objectContaining({ code: 'DATE_MISSING' }),
    );
  });

  it('does not take a small number for an Excel date', () => {
    expect(() => parseDate(12, { field: 'birthDate' })).toThrow(RecordError);
  });
});

describe('code lists', () => {
  it('maps Vietnamese gender spellings', () => {
    expect(genderCode('NỮ')).toBe('female');
    expect(genderCode('nam')).toBe('male');
    expect(genderCode('2')).toBe('female');
  });

  it('rejects an unknown value, listing what it accepts', () => {
    const relationship = codeList(
      { father: ['Cha', 'Bố'], mother: ['Mẹ'], guardian: ['Giám hộ'] },
      'relationship',
    );
    expect(relationship('bố')).toBe('father');
    expect(() => relationship('Chú', 'row 4')).toThrow(/Cha, Mẹ, Giám hộ/);
  });
});

describe('atPointer', () => {
  it('reads nested values with RFC 6901 escapes', () => {
    const doc = { hs: { 'ma/so': 'HS1', list: [{ ten: 'A' }] } };
    expect(atPointer(doc, '/hs/ma~1so')).toBe('HS1');
    expect(atPointer(doc, '/hs/list/0/ten')).toBe('A');
    expect(atPointer(doc, '/hs/none/x')).toBeUndefined();
  });
});

describe('pagination', () => {
  const data = Array.from({ length: 23 }, (_, i) => i);
  const collect = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };

  it('pages by number until a short page', async () => {
    const pages: number[] = [];
    const got = await collect(
      byPageNumber(
        async (page) => {
          pages.push(page);
          return data.slice((page - 1) * 10, page * 10);
        },
        { pageSize: 10 },
      ),
    );
    expect(got).toEqual(data);
    expect(pages).toEqual([1, 2, 3]);
  });

  it('pages by offset and stops at the total', async () => {
    const offsets: number[] = [];
    const got = await collect(
      byOffset(
        async (offset, limit) => {
          offsets.push(offset);
          return { items: data.slice(offset, offset + limit), total: 20 };
        },
        { limit: 10 },
      ),
    );
    expect(got).toEqual(data.slice(0, 20));
    expect(offsets).toEqual([0, 10]);
  });

  it('keeps paging a provider that caps its pages below the limit, up to the total', async () => {
    const got = await collect(
      byOffset(async (offset) => ({ items: data.slice(offset, offset + 5), total: data.length }), {
        limit: 10,
      }),
    );
    expect(got).toEqual(data);
  });

  it('follows cursors and next links, and stops on a link back', async () => {
    const byC = await collect(
      byCursor(async (cursor) => {
        const at = Number(cursor ?? 0);
        return { items: data.slice(at, at + 10), next: at + 10 < data.length ? String(at + 10) : null };
      }),
    );
    expect(byC).toEqual(data);
    const loop = await collect(
      byNextLink('/p1', async (url) => ({ items: [url], next: url === '/p1' ? '/p2' : '/p1' })),
    );
    expect(loop).toEqual(['/p1', '/p2']);
  });

  it('stops between pages when aborted', async () => {
    const controller = new AbortController();
    const it = byPageNumber(async () => [1, 2], { pageSize: 2, signal: controller.signal });
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const x of it) {
          got.push(x);
          if (got.length === 3) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(got).toEqual([1, 2, 1, 2]);
  });

  it('reads the next link of a Link header', () => {
    expect(nextLinkFromHeader('<https://x/p2>; rel="next", <https://x/p9>; rel="last"')).toBe('https://x/p2');
    expect(nextLinkFromHeader('<https://x/p9>; rel="last"')).toBeUndefined();
  });
});

describe('config secrets', () => {
  const schema = z.object({
    baseUrl: z.url(),
    apiKey: secret(z.string()),
    oauth: z.object({ clientId: z.string(), clientSecret: secret(z.string()) }).optional(),
  });

  it('finds secret fields, nested ones included', () => {
    expect(secretFields(schema)).toEqual(['apiKey', 'oauth.clientSecret']);
  });

  it('finds the secrets of every branch of a union', () => {
    const auth = z.object({
      auth: z.discriminatedUnion('type', [
        z.object({ type: z.literal('apiKey'), key: secret(z.string()) }),
        z.object({ type: z.literal('basic'), username: z.string(), password: secret(z.string()) }),
      ]),
    });
    expect(secretFields(auth)).toEqual(['auth.key', 'auth.password']);
    expect(redactConfig(auth, { auth: { type: 'basic', username: 'u', password: 'p' } })).toEqual({
      auth: { type: 'basic', username: 'u', password: '***' },
    });
  });

  it('redacts them for logs', () => {
    const config = { baseUrl: 'http://x', apiKey: 'k', oauth: { clientId: 'c', clientSecret: 's' } };
    expect(redactConfig(schema, config)).toEqual({
      baseUrl: 'http://x',
      apiKey: '***',
      oauth: { clientId: 'c', clientSecret: '***' },
    });
    expect(config.apiKey).toBe('k');
  });

  it('names every wrong field of a config without quoting values', () => {
    const error = (() => {
      try {
        parseAdapterConfig(schema, { baseUrl: 'not a url', apiKey: 42 }, 'smas');
      } catch (e) {
        return e as Error & { code: string };
      }
    })();
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain('baseUrl');
    expect(error?.message).toContain('apiKey');
    expect(error?.message).not.toContain('42');
  });
});
