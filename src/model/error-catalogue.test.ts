import { describe, expect, it } from 'vitest';
import {
  describeError,
  ERROR_PATTERNS,
  ERROR_SECTIONS,
  ERRORS,
  type ErrorEntry,
  errorKind,
  errorMessage,
  errorText,
  fillTemplate,
  isKnownCode,
  placeholders,
  UNKNOWN_CODE,
  UNKNOWN_TARGET_CODE,
} from './error-catalogue.ts';
import { RULES } from './rule-catalogue.ts';

const KINDS = ['permanent', 'transient', 'unavailable', 'throttled', 'configuration', 'bad-input'];
const ACTORS = ['school', 'vendor', 'city', 'district-it', 'hub'];
const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

const everyEntry: Array<[string, ErrorEntry]> = [
  ...Object.entries(ERRORS as Readonly<Record<string, ErrorEntry>>),
  ...ERROR_PATTERNS.map((p): [string, ErrorEntry] => [p.pattern, p]),
  ['(unknown code)', UNKNOWN_CODE],
  ['(unknown target code)', UNKNOWN_TARGET_CODE],
];

describe('every entry', () => {
  it.each(everyEntry)('%s has a kind, an actor, an error status and texts in both languages', (_, e) => {
    expect(KINDS).toContain(e.kind);
    expect(ACTORS).toContain(e.actor);
    expect(Number.isInteger(e.status) && e.status >= 400 && e.status <= 599).toBe(true);
    for (const text of [e.title, e.message, e.action]) {
      expect(text.vi.trim()).not.toBe('');
      expect(text.en.trim()).not.toBe('');
      // Written in each language, not copied: only a text of values alone may read the same in both.
      const words = text.vi.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '');
      if (words !== '') expect(text.vi).not.toBe(text.en);
    }
  });

  it.each(everyEntry)('%s: both messages take exactly the values it lists, and the title none', (_, e) => {
    const listed = [...(e.values ?? [])].sort();
    expect(placeholders(e.message.vi).sort()).toEqual(listed);
    expect(placeholders(e.message.en).sort()).toEqual(listed);
    expect(placeholders(e.title.vi)).toEqual([]);
    expect(placeholders(e.title.en)).toEqual([]);
  });
});

describe('the codes', () => {
  it('are upper snake case and each in one section only', () => {
    const codes = ERROR_SECTIONS.flatMap((s) => Object.keys(s.entries));
    expect(codes.filter((c) => !CODE.test(c))).toEqual([]);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
    expect(codes).toHaveLength(Object.keys(ERRORS).length);
  });

  it('never redefine a rule code: those live in the rules catalogue', () => {
    expect(Object.keys(ERRORS).filter((c) => Object.hasOwn(RULES, c))).toEqual([]);
  });

  it('are not hidden by a family: an exact entry is what a family would say or more precise', () => {
    // Every family matches codes of its own shape only (HTTP_ and a status, GATEWAY_ and a code).
    for (const p of ERROR_PATTERNS) {
      expect(Object.keys(ERRORS).filter((c) => p.match.test(c) && !/^HTTP_\d{3}$/.test(c))).toEqual([]);
    }
  });
});

describe('describeError', () => {
  it('fills the message of an entry with its values, Vietnamese and English', () => {
    expect(describeError('SCHOOL_NOT_CONFIGURED', { school: '79NB0001' })).toMatchObject({
      found: 'entry',
      kind: 'configuration',
      status: 404,
      actor: 'district-it',
      message: {
        vi: 'Trường 79NB0001 chưa có nguồn dữ liệu',
        en: 'School 79NB0001 has no configured source',
      },
      values: ['school'],
    });
  });

  it('takes a value in each language when given one', () => {
    const text = errorText('OPTION_INVALID', {
      option: '--level',
      reason: { vi: 'là 1 hoặc 2 (nhận được "3")', en: 'is 1 or 2 (got "3")' },
    });
    expect(text).toEqual({ vi: '--level là 1 hoặc 2 (nhận được "3")', en: '--level is 1 or 2 (got "3")' });
    expect(errorMessage('RUN_NOT_FOUND', { run: 'r-1' })).toBe('Không có lần chạy r-1 / No run r-1');
  });

  it('leaves a value it was not given as its placeholder', () => {
    expect(fillTemplate('Trường {school}: {reason}', { school: 'A' }, 'vi')).toBe('Trường A: {reason}');
  });

  it('knows a code of a family by its pattern, the exact entry first', () => {
    expect(describeError('HTTP_503')).toMatchObject({ found: 'entry', kind: 'unavailable' });
    expect(describeError('HTTP_429')).toMatchObject({ found: 'entry', kind: 'throttled' });
    expect(describeError('HTTP_507')).toMatchObject({ found: 'pattern', kind: 'transient' });
    expect(describeError('HTTP_409')).toMatchObject({ found: 'pattern', kind: 'permanent' });
    expect(describeError('GATEWAY_900802')).toMatchObject({ found: 'pattern', kind: 'throttled' });
    expect(describeError('GATEWAY_101504')).toMatchObject({ found: 'pattern', kind: 'unavailable' });
    expect(describeError('GATEWAY_Server.ServerProxy.NetworkError').kind).toBe('unavailable');
    expect(describeError('GATEWAY_E042')).toMatchObject({
      found: 'pattern',
      kind: 'permanent',
      actor: 'city',
    });
  });

  it('answers for a rule code from the rules catalogue, as bad input the school fixes', () => {
    expect(describeError('PERSONAL_ID_FORMAT')).toMatchObject({
      found: 'rule',
      kind: 'bad-input',
      actor: 'school',
      message: RULES.PERSONAL_ID_FORMAT && {
        vi: RULES.PERSONAL_ID_FORMAT.vi,
        en: RULES.PERSONAL_ID_FORMAT.en,
      },
    });
    expect(isKnownCode('PERSONAL_ID_FORMAT')).toBe(true);
  });

  it("describes the city's review list for UNKNOWN_MASTER: the city acts", () => {
    const d = describeError('UNKNOWN_MASTER', { kind: 'HocSinh', id: 'HS-1' });
    expect(d).toMatchObject({ actor: 'city', origin: 'target', kind: 'permanent' });
    expect(d.action.en).toMatch(/review list/);
  });

  it("falls back for a target's code it does not know: the target's helpdesk, its message kept", () => {
    const d = describeError('E_SO_DA_KHOA', { reason: 'Sổ đã khoá' }, { origin: 'target' });
    expect(d).toMatchObject({ found: 'unknown', actor: 'city', origin: 'target', kind: 'permanent' });
    expect(d.message.vi).toBe('Đích trả mã E_SO_DA_KHOA: Sổ đã khoá');
  });

  it('calls any other unknown code a bug to report', () => {
    expect(describeError('NO_SUCH_CODE')).toMatchObject({ found: 'unknown', actor: 'hub' });
    expect(isKnownCode('NO_SUCH_CODE')).toBe(false);
    expect(errorKind('NO_SUCH_CODE')).toBeUndefined();
  });

  it('tells the unavailable from the transient: the push step spends no attempt on an outage', () => {
    for (const code of ['UNREACHABLE', 'TIMEOUT', 'TOKEN_UNREACHABLE', 'HTTP_502', 'HTTP_503', 'HTTP_504']) {
      expect(errorKind(code)).toBe('unavailable');
    }
    for (const code of ['HTTP_500', 'HTTP_408', 'MESSAGE_MALFORMED', 'TOKEN_FAILED', 'PAGE_MALFORMED']) {
      expect(errorKind(code)).toBe('transient');
    }
  });
});
