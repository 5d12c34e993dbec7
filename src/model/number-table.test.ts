import { describe, expect, it } from 'vitest';
import { NumberTable } from './number-table.ts';

describe('NumberTable', () => {
  it('stores and finds 12-digit ID numbers and 53-bit fingerprints through growth', () => {
    const table = new NumberTable(4);
    const keys = Array.from({ length: 50_000 }, (_, i) => 79_213_000_000 + i * 7919);
    keys.forEach((k, i) => {
      table.set(k, i);
    });
    table.set(2 ** 53 - 1, 42);
    expect(table.size).toBe(50_001);
    expect(table.get(keys[12_345]!)).toBe(12_345);
    expect(table.get(2 ** 53 - 1)).toBe(42);
    expect(table.get(79_213_000_001)).toBeUndefined();
    expect(table.has(keys[49_999]!)).toBe(true);
  });

  it('overwrites the value of a key already present', () => {
    const table = new NumberTable();
    table.set(5, 1);
    table.set(5, 2);
    expect(table.size).toBe(1);
    expect(table.get(5)).toBe(2);
  });
});
