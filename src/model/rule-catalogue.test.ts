import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from './rule-catalogue.ts';

// Every `error('CODE', …)` / `warning('CODE', …)` written in the model and quality code.
function emittedCodes(): Map<string, 'error' | 'warning'> {
  const found = new Map<string, 'error' | 'warning'>();
  for (const dir of ['.', '../quality']) {
    const folder = join(import.meta.dirname, dir);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(join(folder, file), 'utf8');
      for (const m of text.matchAll(/\b(error|warning)\(\s*'([A-Z][A-Z0-9_]+)'/g)) {
        found.set(m[2]!, m[1] as 'error' | 'warning');
      }
    }
  }
  return found;
}

describe('rule catalogue', () => {
  it('lists every code the rules emit, with the severity they emit it at', () => {
    const emitted = emittedCodes();
    expect(emitted.size).toBeGreaterThan(40);
    for (const [code, severity] of emitted) {
      expect(RULES[code as keyof typeof RULES]?.severity, code).toBe(severity);
    }
  });

  it('describes each rule in Vietnamese and English', () => {
    for (const [code, rule] of Object.entries(RULES)) {
      expect(rule.vi.length, code).toBeGreaterThan(10);
      expect(rule.en.length, code).toBeGreaterThan(10);
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    }
  });
});
