import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { AdapterLogger } from './adapter.ts';
import { PermanentError, RetryableError } from './errors.ts';
import { checkPage, PageError, pageProblem, pageUrl, retryPage, totalOf } from './pages.ts';

const URL_3 = '/api/v1/hoc-sinh?trang=3&kichThuoc=40';

/** A fetch that fails with `errors` in turn, then answers `value`; counts its calls. */
function flaky<T>(errors: Error[], value: T) {
  const fetch = async () => {
    fetch.calls++;
    const error = errors.shift();
    if (error) throw error;
    return value;
  };
  fetch.calls = 0;
  return fetch;
}

function memoryLogger() {
  const entries: Array<{ msg: string; data: Record<string, unknown> | undefined }> = [];
  const logger: AdapterLogger = {
    debug: () => {},
    info: () => {},
    warn: (msg, data) => entries.push({ msg, data }),
    error: () => {},
  };
  return { logger, entries };
}

describe('retryPage', () => {
  it('asks again for a page that came back malformed, and returns it whole', async () => {
    const fetch = flaky([pageProblem('malformed')], ['a', 'b']);
    expect(await retryPage(fetch, { url: URL_3, page: { number: 3 }, backoffMs: 1 })).toEqual(['a', 'b']);
    expect(fetch.calls).toBe(2);
  });

  it('gives up after three tries in all by default', async () => {
    const fetch = flaky(
      Array.from({ length: 9 }, () => pageProblem('malformed')),
      [],
    );
    await retryPage(fetch, { url: URL_3, backoffMs: 1 }).catch(() => {});
    expect(fetch.calls).toBe(3);
  });

  it('names the source, the URL, the page and what was wrong, in Vietnamese and English, after the last try', async () => {
    const fetch = flaky(
      Array.from({ length: 3 }, () => pageProblem('malformed', { vi: 'JSON hỏng', en: 'malformed JSON' })),
      [],
    );
    const error = await retryPage(fetch, {
      url: URL_3,
      page: { number: 3 },
      source: 'SMAS',
      backoffMs: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', problem: 'malformed', url: URL_3, tries: 3 });
    expect((error as Error).message).toBe(
      `SMAS: Trang 3 của ${URL_3}: JSON hỏng sau 3 lần thử / Page 3 of ${URL_3}: malformed JSON after 3 tries`,
    );
  });

  it('names a page by its offset or its cursor when it has no number', async () => {
    const fail = (page: { offset: number } | { cursor: string | undefined }) =>
      retryPage(flaky([pageProblem('empty')], 0), { url: '/users', page, maxAttempts: 1 }).catch(
        (e: Error) => e.message,
      );
    expect(await fail({ offset: 200 })).toContain('Page at offset 200 of /users');
    expect(await fail({ cursor: 'b2Zmc2V0OjQw' })).toContain('Page at cursor "b2Zmc2V0OjQw" of /users');
    expect(await fail({ cursor: undefined })).toContain('The first page of /users');
    expect(await fail({ offset: 200 })).toContain('after 1 try');
  });

  it('retries truncated and empty pages as it retries malformed ones', async () => {
    const fetch = flaky([pageProblem('truncated'), pageProblem('empty')], 'whole');
    expect(await retryPage(fetch, { url: URL_3, backoffMs: 1 })).toBe('whole');
    expect(fetch.calls).toBe(3);
  });

  it('lets any other error through at once', async () => {
    const refused = new PermanentError('AUTH_REFUSED', 'refused');
    const fetch = flaky([refused], 'never');
    await expect(retryPage(fetch, { url: URL_3, backoffMs: 1 })).rejects.toBe(refused);
    expect(fetch.calls).toBe(1);
  });

  it('lets a page error that already spent its tries through, so tries never multiply', async () => {
    const inner = new PageError('malformed', { url: URL_3, tries: 3 });
    const fetch = flaky([inner], 'never');
    await expect(retryPage(fetch, { url: URL_3, backoffMs: 1 })).rejects.toBe(inner);
    expect(fetch.calls).toBe(1);
  });

  it('logs each retry with its code, try, wait and URL', async () => {
    const { logger, entries } = memoryLogger();
    await retryPage(flaky([pageProblem('truncated')], 1), {
      url: URL_3,
      page: { number: 3 },
      backoffMs: 1,
      logger,
    });
    expect(entries).toEqual([
      {
        msg: 'retrying',
        data: {
          code: 'PAGE_TRUNCATED',
          attempt: 1,
          waitMs: expect.any(Number),
          url: URL_3,
          page: { number: 3 },
        },
      },
    ]);
  });

  it('stops waiting between tries when the read is aborted, with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const fetch = flaky([pageProblem('malformed')], 'never');
    setTimeout(() => controller.abort(reason), 30);
    const started = performance.now();
    await expect(retryPage(fetch, { url: URL_3, backoffMs: 60_000, signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fetch.calls).toBe(1);
  });
});

describe('checkPage', () => {
  it('passes a full page and a last page that holds what the total leaves', () => {
    expect(() => checkPage({ items: 40, position: 0, total: 100, pageSize: 40 })).not.toThrow();
    expect(() => checkPage({ items: 20, position: 80, total: 100, pageSize: 40 })).not.toThrow();
    expect(() => checkPage({ items: 0, position: 100, total: 100, pageSize: 40 })).not.toThrow();
  });

  it('calls a page with fewer items than its total promised truncated, saying how many', () => {
    expect(() => checkPage({ items: 12, position: 40, total: 100, pageSize: 40 })).toThrow(
      expect.objectContaining({
        code: 'PAGE_TRUNCATED',
        message: expect.stringContaining('12 items where the total promised 40'),
      }),
    );
  });

  it('calls a page with no items while the total says more follows empty', () => {
    expect(() => checkPage({ items: 0, position: 40, total: 100 })).toThrow(
      expect.objectContaining({ code: 'PAGE_EMPTY_UNEXPECTED' }),
    );
  });

  it('calls a page with no items and a next link empty', () => {
    expect(() => checkPage({ items: 0, more: true })).toThrow(
      expect.objectContaining({
        code: 'PAGE_EMPTY_UNEXPECTED',
        message: expect.stringContaining('next page'),
      }),
    );
  });

  it('lets a short page through when the source may serve fewer than asked (offsets, cursors)', () => {
    expect(() => checkPage({ items: 7, position: 0, total: 100 })).not.toThrow();
    expect(() => checkPage({ items: 7, more: true })).not.toThrow();
  });

  it('says nothing of a page whose total it does not know', () => {
    expect(() => checkPage({ items: 0, pageSize: 40 })).not.toThrow();
    expect(() => checkPage({ items: 3, position: 40, pageSize: 40 })).not.toThrow();
  });

  propTest.prop([fc.nat(10_000), fc.integer({ min: 1, max: 500 }), fc.nat(30)])(
    'never refuses a page that holds exactly what its total leaves for it',
    (total, pageSize, index) => {
      const position = index * pageSize;
      const items = Math.min(pageSize, Math.max(0, total - position));
      expect(() => checkPage({ items, position, total, pageSize, more: items === pageSize })).not.toThrow();
    },
  );
});

describe('totalOf', () => {
  it('reads a total as a number or as digits, and nothing else', () => {
    expect([totalOf(40), totalOf('40'), totalOf(' 7 '), totalOf(0)]).toEqual([40, 40, 7, 0]);
    expect([totalOf(undefined), totalOf(''), totalOf('4x'), totalOf(-1), totalOf(1.5)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('pageUrl', () => {
  it('keeps the path and query of a page', () => {
    expect(pageUrl(new URL('https://smas.example.vn/api/v1/hoc-sinh?trang=3&kichThuoc=40'))).toBe(URL_3);
  });

  it('never shows credentials: no user-info, secret-looking parameters masked', () => {
    const shown = pageUrl(
      new URL('https://user:pa55word@smas.example.vn/api/hs?trang=3&api_key=k-123&access_token=t-9'),
    );
    expect(shown).toBe('/api/hs?trang=3&api_key=***&access_token=***');
  });
});
