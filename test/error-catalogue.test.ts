import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFUSALS, type RefusalReason, refusalCode } from '../src/identity/sso/errors.ts';
import { ERROR_PATTERNS, isKnownCode } from '../src/model/error-catalogue.ts';
import { renderErrorDocs } from '../src/model/error-docs.ts';
import { RULES } from '../src/model/rule-catalogue.ts';
import { STATUS_REASON_CODES } from '../src/pipeline/school-status.ts';
import { PAGE_PROBLEM_CODES } from '../src/sdk/pages.ts';
import { findErrorCodes } from './support/error-codes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A template's prefix (`HTTP_`) is known when a family of the catalogue, or of the rules, has it. */
function knownPrefix(prefix: string): boolean {
  return (
    ERROR_PATTERNS.some((p) => p.pattern.startsWith(prefix)) ||
    Object.keys(RULES).some((c) => c.startsWith(prefix))
  );
}

describe('every code thrown is in the catalogue', () => {
  const found = findErrorCodes(ROOT, ['src', 'adapters', 'mappings', 'bin']);

  it('finds the codes where errors are made (the scan itself works)', () => {
    const codes = new Set(found.map((f) => f.code));
    // One of each way a code is written: an error's argument, a class's `code`, a `code:` member,
    // a `…CODES` table, a helper's argument, a `super` call, a template.
    for (const code of ['SCHOOL_NOT_CONFIGURED', 'LEASE_LOST', 'TARGET_NO_RESULT', 'PAGE_MALFORMED']) {
      expect(codes).toContain(code);
    }
    for (const code of ['PHONE_INVALID', 'SCHOOL_BUSY', 'HTTP_{…}', 'GATEWAY_{…}', 'API_KEY_INVALID']) {
      expect(codes).toContain(code);
    }
    expect(found.length).toBeGreaterThan(300);
  });

  it('has an entry (or a family, or a rule) for each', () => {
    // A school's status reasons (why its colour) are codes of a state, not of a failure.
    const statuses = new Set<string>(STATUS_REASON_CODES);
    const missing = found
      .filter(({ code, where }) => !(statuses.has(code) && where.startsWith('src/pipeline/school-status.ts')))
      .filter(({ code }) => (code.endsWith('{…}') ? !knownPrefix(code.slice(0, -3)) : !isKnownCode(code)))
      .map(({ code, where }) => `${code} at ${where}`);
    expect(missing, 'add these codes to src/model/errors/*.ts, then run npm run errors-doc').toEqual([]);
  });

  it('has every code made by a function rather than written: sign-in refusals, pages', () => {
    const made = [
      ...Object.keys(REFUSALS).map((r) => refusalCode(r as RefusalReason)),
      ...Object.values(PAGE_PROBLEM_CODES),
    ];
    expect(made.filter((c) => !isKnownCode(c))).toEqual([]);
  });
});

describe('docs/errors.md', () => {
  it('is what npm run errors-doc writes from the catalogue', async () => {
    const committed = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8').catch(
      () => '(missing)',
    );
    expect(committed, 'docs/errors.md is out of date: run npm run errors-doc and commit it').toBe(
      renderErrorDocs(),
    );
  });
});
